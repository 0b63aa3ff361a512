/**
 * A realistic, seeded generator of seed-shaped pin events, for the emulator,
 * the tests and the benchmarks. The same options give the same events.
 *
 * @module
 */

import type { PinEvent } from "../pin/pin_event.ts";
import { createRandom, createZipf, type Random } from "./seeded_random.ts";
import { createTimeSampler } from "./daily_shape.ts";

/** The categories seen in the seed's data. */
export const CATEGORIES = [
  "art",
  "beauty",
  "christmas",
  "diy-and-crafts",
  "education",
  "event-planning",
  "finance",
  "home-decor",
  "mens-fashion",
  "quotes",
  "tattoos",
  "travel",
  "vehicles",
] as const;

/** Options of {@linkcode createPinGenerator}. */
export interface PinGeneratorOptions {
  /** Same seed ⇒ same events. */
  seed?: number;
  /** How many distinct posters (drawn Zipf-like). */
  posters?: number;
  /**
   * Spread `event_time` over [from, to) with the daily shape (`daily_shape.ts`: quiet nights,
   * busy evenings); without it, events are stamped `now()`. The other fields do not depend
   * on it: a seed gives the same pins with or without a span.
   */
  span?: { from: Date; to: Date };
  /** The clock used without a span. */
  now?: () => Date;
  /** Give each event an `event_id` (default true). */
  withEventId?: boolean;
}

/** Mixed into the seed for the event times' own sequence. */
const TIME_STREAM = 0x5bd1e995;

interface Poster {
  name: string;
  followers: number;
  categories: readonly string[];
}

const FIRST = [
  "Cozy",
  "Urban",
  "Little",
  "Golden",
  "Wild",
  "Modern",
  "Rustic",
  "Happy",
  "Bold",
  "Quiet",
  "Sunny",
  "Vintage",
];
const SECOND = [
  "Studio",
  "Home",
  "Atelier",
  "Journal",
  "Crafts",
  "Nest",
  "Lab",
  "Corner",
  "Diaries",
  "Design",
  "Co",
  "Life",
];
const NON_ASCII = [
  "Café Créatif",
  "Décor à la Maison",
  "東京デザイン",
  "Ñandú Estudio",
  "Straße & Stil",
  "Ωmega Art",
  "Живопись",
];
const WORDS = [
  "easy",
  "ideas",
  "guide",
  "best",
  "simple",
  "beautiful",
  "tips",
  "style",
  "inspiration",
  "diy",
  "modern",
  "classic",
  "budget",
  "quick",
  "creative",
];
const MEDIA = [
  "image",
  "image",
  "image",
  "image",
  "image",
  "image",
  "video",
  "video",
  "multi-video(story page format)",
];

function _followerText(random: Random, count: number): string {
  if (count < 1000) return String(count);
  if (count < 1_000_000) {
    const k = count / 1000;
    return k < 10 && random.chance(0.5) ? `${k.toFixed(1)}k` : `${Math.round(k)}k`;
  }
  const m = count / 1_000_000;
  return random.chance(0.5) ? `${m.toFixed(1)}M` : `${Math.round(m)}M`;
}

function _posters(random: Random, n: number): Poster[] {
  const seen = new Set<string>();
  const posters: Poster[] = [];
  for (let i = 0; i < n; i++) {
    let name = random.chance(0.03)
      ? random.pick(NON_ASCII)
      : `${random.pick(FIRST)} ${random.pick(SECOND)}`;
    if (seen.has(name)) name = `${name} ${i}`;
    seen.add(name);
    const followers = Math.floor(Math.exp(random.next() * Math.log(5_000_000)));
    const categories = [random.pick(CATEGORIES), random.pick(CATEGORIES), random.pick(CATEGORIES)];
    posters.push({ name, followers, categories });
  }
  return posters;
}

function _shuffle<T>(random: Random, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function _sentence(random: Random, category: string, words: number): string {
  const parts = Array.from({ length: words }, () => random.pick(WORDS));
  parts.splice(random.int(parts.length + 1), 0, category.replaceAll("-", " "));
  return parts.join(" ");
}

/**
 * Creates a generator of seed-shaped pin events.
 *
 * Posters and categories follow Zipf-like distributions, follower counts are
 * written as the seed does ("523", "12k", "1.2M"), and the seed's sentinel
 * error strings appear at realistic rates.
 *
 * @param options Seed, number of posters, event-time span, clock.
 * @throws {RangeError} When the span's end is not after its start.
 * @returns A function returning the next event.
 * @example
 * ```ts
 * const next = createPinGenerator({ seed: 42, span: { from: new Date("2024-01-01"), to: new Date("2026-01-01") } });
 * const events = Array.from({ length: 1000 }, next);
 * ```
 */
export function createPinGenerator(options: PinGeneratorOptions = {}): () => PinEvent {
  const {
    seed = 1,
    posters: posterCount = 2000,
    span,
    now = () => new Date(),
    withEventId = true,
  } = options;
  const random = createRandom(seed);
  const posters = _posters(random, posterCount);
  const drawPoster = createZipf(random, posterCount, 1.05);
  const categoryOrder = _shuffle(random, CATEGORIES);
  const drawCategory = createZipf(random, categoryOrder.length, 0.8);
  const drawTime = span ? createTimeSampler(createRandom(seed ^ TIME_STREAM), span) : now;
  let index = 0;

  return function next(): PinEvent {
    const poster = posters[drawPoster()]!;
    const category = random.chance(0.6)
      ? random.pick(poster.categories)
      : categoryOrder[drawCategory()]!;
    const media = random.pick(MEDIA);
    const userError = random.chance(0.02);
    const story = media.startsWith("multi-video");
    const tags = Array.from({ length: 2 + random.int(6) }, () => random.pick(WORDS));
    const eventTime = drawTime();
    const event: PinEvent = {
      index: index++,
      unique_id: random.uuid(),
      title: random.chance(0.02) ? "No Title Data Available" : _sentence(random, category, 3),
      description: story && random.chance(0.7)
        ? "No description available Story format"
        : random.chance(0.03)
        ? "No description available"
        : _sentence(random, category, 10),
      poster_name: userError ? "User Info Error" : poster.name,
      follower_count: userError ? "User Info Error" : _followerText(random, poster.followers),
      tag_list: random.chance(0.05) ? "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e" : tags.join(","),
      is_image_or_video: media,
      image_src: random.chance(0.02)
        ? "Image src error."
        : `https://i.pinimg.com/originals/${random.uuid().slice(0, 8)}.jpg`,
      downloaded: random.chance(0.95) ? 1 : 0,
      save_location: `Local save in /data/${category}`,
      category,
      event_time: eventTime.toISOString(),
    };
    if (withEventId) event.event_id = random.uuid();
    return event;
  };
}
