/** Path of the example config of docs/scaling.md. */
export const NGINX_EXAMPLE: string;

/** The example config listening on `host:port`, in front of the processes on `upstreams`. */
export function renderNginxConfig(options: {
  host?: string;
  port: number;
  upstreams: number[];
}): string;

export interface Nginx {
  readonly port: number;
  /** `ws://host:port/` */
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts nginx (`-p` a temp prefix of its own) with the example config. */
export function startNginx(options: {
  host?: string;
  port: number;
  upstreams: number[];
}): Promise<Nginx>;
