import { CloseCode } from '@beckon/core/protocol';

/**
 * A sentence for the agent explaining why the service refused the console, from the close
 * code and reason in `agent.getSnapshot().error`.
 *
 * @example
 * explainRefusal({ code: 4001, reason: 'token expired' }, 'demo');
 * // "The agent token is invalid or has expired (token expired). Paste a new token to sign in."
 */
export function explainRefusal(
  error: { code: number; reason: string } | undefined,
  groupId: string,
): string {
  if (!error) return 'The service refused the connection.';
  const why = error.reason ? ` (${error.reason})` : '';
  switch (error.code) {
    case CloseCode.unauthorized:
      return `The agent token is invalid or has expired${why}. Paste a new token to sign in.`;
    case CloseCode.forbidden:
      return `This token may not be used for group “${groupId}”${why}.`;
    case CloseCode.notConfigured:
      return `Presence is not configured for group “${groupId}”${why}. Check the group ID.`;
    case CloseCode.unsupportedVersion:
      return `The service speaks another protocol version${why}. Update the console or the service.`;
    case CloseCode.badRequest:
      return `The service closed the connection after malformed messages${why}.`;
    default:
      return `The service refused the connection: code ${error.code}${why}.`;
  }
}
