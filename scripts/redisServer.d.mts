/** A `redis-server` of its own: a free port on 127.0.0.1, its own temp dir, no persistence. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops it (SIGKILL) and waits for it to exit; what it held is gone. */
  stop(): Promise<void>;
  /** Starts it again, empty, on the same port. */
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  dispose(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number>;

export function startRedisServer(): Promise<RedisServer>;
