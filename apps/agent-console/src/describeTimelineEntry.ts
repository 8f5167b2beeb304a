import { shortId } from './format.js';
import type { TimelineEntry } from './timeline.js';

/** How a timeline entry reads: a short title, an optional detail line, and a tone for colour. */
export interface TimelineText {
  title: string;
  detail?: string;
  tone: 'neutral' | 'good' | 'warn' | 'bad' | 'info';
}

const fields = (data: Readonly<Record<string, string>>, skip: string[] = []) =>
  Object.entries(data)
    .filter(([key]) => !skip.includes(key))
    .map(([key, value]) => `${key}=${value}`)
    .join(' · ');

/**
 * The words for one timeline entry.
 *
 * @example
 * describeTimelineEntry(entry); // { title: 'Terms accepted', tone: 'good' }
 */
export function describeTimelineEntry(entry: TimelineEntry): TimelineText {
  switch (entry.kind) {
    case 'presence': {
      const rest = fields(entry.data, ['url']);
      return {
        title: entry.data.url ? `Presence: ${entry.data.url}` : 'Presence updated',
        ...(rest ? { detail: rest } : {}),
        tone: 'neutral',
      };
    }
    case 'visibility':
      return {
        title: `Now ${entry.visibility}`,
        tone: entry.visibility === 'visible' ? 'info' : 'warn',
      };
    case 'focus':
      return {
        title: `Focus moved to instance ${shortId(entry.connectionId)}`,
        detail: `epoch ${entry.epoch}`,
        tone: 'neutral',
      };
    case 'terms':
      return {
        title: `Terms ${entry.status}`,
        tone: entry.status === 'accepted' ? 'good' : entry.status === 'declined' ? 'bad' : 'info',
      };
    case 'sessionStart':
      return { title: 'Session started', detail: `key ${entry.sessionKey}`, tone: 'good' };
    case 'sessionEnd':
      return {
        title: 'Session ended',
        ...(entry.reason ? { detail: entry.reason } : {}),
        tone: 'neutral',
      };
    case 'visitorError': {
      const params = entry.params ? fields(entry.params) : '';
      return {
        title: `Visitor error: ${entry.code}`,
        detail: params ? `${entry.msg} (${params})` : entry.msg,
        tone: 'bad',
      };
    }
    case 'connected':
      return {
        title: 'Visitor connected',
        detail: `${entry.connections} instance${entry.connections === 1 ? '' : 's'}`,
        tone: 'good',
      };
    case 'disconnected':
      return { title: 'Visitor left', tone: 'warn' };
    case 'push': {
      const devices = `${entry.devices} device${entry.devices === 1 ? '' : 's'}`;
      if (entry.status === 'sent') {
        return {
          title: 'Asleep: a notification was sent to wake the visitor',
          detail: devices,
          tone: 'info',
        };
      }
      return entry.status === 'answered'
        ? { title: 'The visitor came back through the notification', tone: 'good' }
        : { title: 'The notification went unanswered', detail: devices, tone: 'warn' };
    }
    case 'signal': {
      const props = fields(entry.properties);
      return {
        title: `Signal ${entry.name}`,
        ...(props ? { detail: props } : {}),
        tone: 'info',
      };
    }
  }
}
