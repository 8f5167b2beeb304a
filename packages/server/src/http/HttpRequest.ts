import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PresenceHub } from '../createPresenceHub.js';
import type { SocketlessAgent } from '../hub/socketlessAgents.js';

/** One authorised request of the HTTP agent API, as a resource handler gets it. */
export interface HttpRequest {
  req: IncomingMessage;
  res: ServerResponse;
  /** The request's path (for the problem's `instance`). */
  path: string;
  /** The path's parameters by name (`groupId`, `visitorId`, `sessionKey`), decoded. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  /** The agent the token names, in the path's group, with its rate limiter. */
  agent: SocketlessAgent;
  hub: PresenceHub;
  /** Aborts when the client goes away before the answer. */
  signal: AbortSignal;
}

/** A resource's handler for one method of one path. */
export type HttpHandler = (request: HttpRequest) => Promise<void>;
