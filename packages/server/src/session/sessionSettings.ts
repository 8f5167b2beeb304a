import type { SessionMessageKind } from '@beckon/core/protocol';
import { z } from 'zod';
import { checkOptions } from '../checkOptions.js';
import { ConfigError } from '../parseGroupsConfig.js';
import { createMemorySessionStore } from './createMemorySessionStore.js';
import type { SessionStore } from './SessionStore.js';

/** One chunk the service relays, as the `onSessionFrame` tap sees it. */
export interface SessionFrameTap {
  groupId: string;
  visitorId: string;
  sessionKey: string;
  kind: SessionMessageKind;
  seq: number;
  part: number;
  parts: number;
  /** The chunk's payload, exactly as relayed to viewers. */
  data: string;
}

/** The session options of the hub (and of `createPresenceServer`). */
export interface SessionOptions {
  /** Where sessions and tickets are kept; defaults to a new `createMemorySessionStore()`. Hubs that share a registry share this too. */
  sessions?: SessionStore;
  /** How long a session ticket stays valid. Default 30 000. */
  sessionTicketTtlMs?: number;
  /** What one host (a visitor's page) may send: a byte bucket. Default 2 MB/s, bursts of 16 MB. */
  sessionRate?: { bytesPerSecond: number; burstBytes: number };
  /**
   * A viewer's queue on the service: past `highWaterBytes` pointer moves are dropped, past
   * `maxBufferedBytes` the viewer is resynced with a fresh snapshot instead of queuing more.
   * Default 256 KiB and 2 MiB.
   */
  sessionBuffer?: { highWaterBytes: number; maxBufferedBytes: number };
  /** Viewers one session may have at once. Default 8. */
  maxViewers?: number;
  /**
   * Sees every chunk the service relays, after its checks: for audits (and tests that
   * prove what never reached the service). It must not throw or block.
   */
  onSessionFrame?: (frame: SessionFrameTap) => void;
}

/** The session options with their defaults. */
export interface SessionSettings {
  store: SessionStore;
  ticketTtlMs: number;
  rate: { bytesPerSecond: number; burstBytes: number };
  buffer: { highWaterBytes: number; maxBufferedBytes: number };
  maxViewers: number;
  tap: ((frame: SessionFrameTap) => void) | undefined;
}

/** The session options' shapes, for the service's and the CLI's checks. */
export const SessionOptionsSchema = z.looseObject({
  sessionTicketTtlMs: z.number().int().positive().optional(),
  sessionRate: z
    .strictObject({
      bytesPerSecond: z.number().positive(),
      burstBytes: z.number().int().min(65_536),
    })
    .optional(),
  sessionBuffer: z
    .strictObject({
      highWaterBytes: z.number().int().positive(),
      maxBufferedBytes: z.number().int().positive(),
    })
    .refine((b) => b.maxBufferedBytes >= b.highWaterBytes, {
      message: 'maxBufferedBytes must be at least highWaterBytes',
    })
    .optional(),
  maxViewers: z.number().int().min(1).optional(),
});

/**
 * Checks the session options and fills in the defaults; a bad one is a {@link ConfigError}.
 *
 * @example
 * const settings = sessionSettings({ maxViewers: 4 });
 */
export function sessionSettings(options: SessionOptions): SessionSettings {
  checkOptions(SessionOptionsSchema, options);
  if (options.onSessionFrame !== undefined && typeof options.onSessionFrame !== 'function') {
    throw new ConfigError('invalid options: options.onSessionFrame: must be a function');
  }
  return {
    store: options.sessions ?? createMemorySessionStore(),
    ticketTtlMs: options.sessionTicketTtlMs ?? 30_000,
    rate: options.sessionRate ?? { bytesPerSecond: 2_000_000, burstBytes: 16_000_000 },
    buffer: options.sessionBuffer ?? {
      highWaterBytes: 256 * 1024,
      maxBufferedBytes: 2 * 1024 * 1024,
    },
    maxViewers: options.maxViewers ?? 8,
    tap: options.onSessionFrame,
  };
}
