# One image for every pipeline process (edge, stream, archive, schedule);
# compose.yaml picks the process with its deno task, e.g. `deno task edge`.
# Deno's official image, at the version CI and README use (2.9.6).
FROM denoland/deno:2.9.6

ENV DENO_NO_UPDATE_CHECK=1 \
    DENO_NO_PROMPT=1 \
    PIPELINE_DATA_DIR=./data

WORKDIR /app
RUN chown deno:deno /app

# Everything below runs as the image's unprivileged `deno` user, which also
# owns the module cache (DENO_DIR) the install fills.
USER deno

# Dependencies first, so that a code change does not refetch them: the npm
# packages mapped in deno.json, exactly as deno.lock pins them.
COPY --chown=deno:deno deno.json deno.lock ./
RUN deno install --frozen

# The code, then the module graph of every entry point cached, so that a
# container starts without fetching anything.
COPY --chown=deno:deno . .
RUN deno install --frozen --entrypoint edge/main.ts jobs/*.ts ops/healthcheck.ts \
    && mkdir -p data

EXPOSE 8000
CMD ["deno", "task", "edge"]
