export const root: string;

export interface StackOptions {
  host?: string;
  port?: number;
  consolePort?: number;
  demoPort?: number;
  groupId?: string;
  configFile?: string;
  agentToken?: string;
  /** Service processes; more than one share a local redis-server behind a local nginx. Default 1. */
  processes?: number;
  onLog?: (entry: { level: number; msg: string; [key: string]: unknown }) => void;
}

export interface Stack {
  readonly serviceUrl: string;
  /** How the service runs: 'one process', or nginx in front of several. */
  readonly serviceDescription: string;
  readonly agentToken: string;
  readonly consoleUrl: string;
  readonly demoUrl: string;
  restartService(options?: { drain?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export function startStack(options?: StackOptions): Promise<Stack>;

export function serveApp(options: {
  dir: string;
  port: number;
  host: string;
  config: () => unknown;
}): Promise<{ url: string; port: number; close(): Promise<void> }>;
