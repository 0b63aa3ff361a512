-- Registers the batch's curated Parquet (s3://pinterest-pipeline/curated/dt=YYYY-MM-DD/*.parquet)
-- as a table partitioned by dt, then picks up every day present. Run it again after new days
-- land (or call only the procedure):
--   docker compose exec trino trino --file /etc/trino/sql/curated_pins.sql
-- Generated from lib/query/trino_curated.ts (columns: CLEAN_COLUMNS); a unit test keeps
-- them equal. `deno task query --engine trino` runs the same statements before its query.
CREATE SCHEMA IF NOT EXISTS hive.curated;

CREATE TABLE IF NOT EXISTS hive.curated.pins (
  event_id varchar,
  event_time timestamp(3),
  received_at timestamp(3),
  index_id bigint,
  unique_id varchar,
  title varchar,
  description varchar,
  poster_name varchar,
  follower_count bigint,
  tag_list array(varchar),
  is_image_or_video varchar,
  media_type varchar,
  image_src varchar,
  downloaded bigint,
  save_location varchar,
  category varchar,
  dt date
)
WITH (
  external_location = 's3://pinterest-pipeline/curated',
  format = 'PARQUET',
  partitioned_by = ARRAY['dt']
);

CALL hive.system.sync_partition_metadata('curated', 'pins', 'FULL');
