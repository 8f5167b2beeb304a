import type { SessionMessageKind } from '@beckon/core/protocol';

/** What to do with one chunk for one viewer. */
export interface FlowDecision {
  /** Write it to the viewer. */
  send: boolean;
  /** A transient message not sent because the viewer is behind (count it as dropped). */
  dropped: boolean;
  /** The viewer is too far behind: tell it to drop what it has, and resync it. */
  resync: boolean;
}

const SEND: FlowDecision = { send: true, dropped: false, resync: false };
const SKIP: FlowDecision = { send: false, dropped: false, resync: false };
const DROP: FlowDecision = { send: false, dropped: true, resync: false };
const RESYNC: FlowDecision = { send: false, dropped: false, resync: true };

/**
 * The service's flow rule for one viewer, decided per message at its first chunk and kept
 * for its other chunks, from how much is already queued for the viewer:
 *
 * - at most `highWaterBytes` queued: everything is sent;
 * - above it: `transient` messages (pointer moves) are dropped, the rest is sent;
 * - above `maxBufferedBytes`: nothing more is queued; the viewer is told to resync and gets
 *   the next `snapshot` once its queue is back under `highWaterBytes` — never an unbounded
 *   queue, never a gap in the changes it applies;
 * - a message being sent is cut (and the viewer resynced) only past twice `maxBufferedBytes`.
 *
 * @example
 * const flow = new ViewerFlow({ highWaterBytes: 262_144, maxBufferedBytes: 2_097_152 });
 * const decision = flow.decide(chunk.kind, chunk.part, ws.bufferedAmount);
 */
export class ViewerFlow {
  /** Waiting for a snapshot after falling behind. */
  resyncing = false;
  /** The host was asked for the snapshot this viewer waits for. */
  asked = false;
  private current: 'send' | 'skip' | undefined;
  private readonly high: number;
  private readonly max: number;

  constructor(limits: { highWaterBytes: number; maxBufferedBytes: number }) {
    this.high = limits.highWaterBytes;
    this.max = limits.maxBufferedBytes;
  }

  /** Decides for a chunk; `buffered` is what is queued for the viewer now, in bytes. */
  decide(kind: SessionMessageKind, part: number, buffered: number): FlowDecision {
    if (part > 0) {
      if (this.current !== 'send') return SKIP;
      if (buffered > 2 * this.max) return this.startResync();
      return SEND;
    }
    if (this.resyncing) {
      // Any snapshot will do (another viewer's join may have asked for it first).
      if (kind === 'snapshot' && buffered <= this.high) {
        this.resyncing = false;
        this.asked = false;
        this.current = 'send';
        return SEND;
      }
      this.current = 'skip';
      return SKIP;
    }
    if (buffered > this.max) return this.startResync();
    if (kind === 'transient' && buffered > this.high) {
      this.current = 'skip';
      return DROP;
    }
    this.current = 'send';
    return SEND;
  }

  /** Whether to ask the host for the snapshot now: resyncing, not asked yet, queue drained. */
  shouldAsk(buffered: number): boolean {
    return this.resyncing && !this.asked && buffered <= this.high;
  }

  private startResync(): FlowDecision {
    this.resyncing = true;
    this.asked = false;
    this.current = 'skip';
    return RESYNC;
  }
}
