import { createVisitor, type Visitor } from '@beckon/core';
import { CloseCode } from '@beckon/core/protocol';
import { webSocketTransport } from '@beckon/transport-ws';
import { createConsentDialog, wirePage } from '@beckon/ui-dom';
import { glanceDefaults } from './glanceConfig.js';
import { decodeSignal, SIGNAL_NAME } from './glanceSignal.js';
import { encodeData, type GlanceData, pageFacts } from './presenceData.js';

/** What `onerror` receives: a short code and a sentence, as the original's errors carry. */
export interface GlanceError {
  /** `conndrop`, `authorization`, `notconfigured`, `invalidparameter` or `sendfail`. */
  code: string;
  msg: string;
  params?: Record<string, string>;
}

/** The constructor's parameters: the original's, plus where Beckon's service is. */
export interface PresenceVisitorParams {
  groupid?: string | number;
  visitorid?: string;
  /** Beckon's presence endpoint (`wss://presence.example.com/`); default: the script tag's. */
  presenceserver?: string;
  /** The consent dialog's language; default: the browser's. */
  locale?: string;
}

/**
 * `GLANCE.Presence.Visitor`: the original's visitor object on Beckon. `presence()` merges
 * flat data into what the service holds (the first call on a page adds the URL and the
 * browser), connecting when needed; `connect()`, `disconnect()`; `fire(type, data)` tells
 * the agent something (`fire('terms', { status })` included); `onsignal` and `onerror`.
 * An agent's `invokeVisitor` of `GLANCE.Cobrowse.Visitor.showTerms` opens Beckon's consent
 * dialog, and Accept starts the session. Visibility and focus reclaim are wired to the page.
 *
 * @example
 * const visitor = new GLANCE.Presence.Visitor({ groupid: '12345', visitorid: 'alice' });
 * visitor.onsignal = (msg) => console.log('from the agent:', msg);
 * visitor.presence({ data: { plan: 'pro' }, onsuccess: () => console.log('sent') });
 */
export class PresenceVisitor {
  /** The most recently made visitor object, so several scripts of a page can share it. */
  static instance: PresenceVisitor | undefined;

  /** A message from the agent (`signalVisitor`'s `data`). */
  onsignal: ((message: unknown) => void) | null = null;
  /** Something went wrong: `{ code, msg }`. */
  onerror: ((error: GlanceError) => void) | null = null;

  readonly groupid: string;
  readonly visitorid: string;
  /** The Beckon visitor underneath, for what the original does not have. */
  readonly beckon: Visitor;
  #data: Record<string, string> | undefined;
  #waiting: (() => void)[] = [];
  #initialized = false;

  constructor(params: PresenceVisitorParams = {}) {
    const defaults = glanceDefaults();
    this.groupid = String(params.groupid ?? defaults.groupid ?? '');
    this.visitorid = String(params.visitorid ?? defaults.visitorid ?? '');
    const server = params.presenceserver ?? defaults.presenceserver;
    if (!server) {
      throw new TypeError(
        'GLANCE.Presence.Visitor: no presence server; set data-presenceserver on the script tag',
      );
    }
    const locale = params.locale ?? defaults.locale;
    this.beckon = createVisitor({
      transport: webSocketTransport({ url: server }),
      ui: createConsentDialog(locale === undefined ? {} : { locale }),
      visible: globalThis.document?.visibilityState !== 'hidden',
    });
    const v = this.beckon;
    v.on('connected', () => {
      if (this.#data) v.presence(this.#data);
      for (const done of this.#waiting.splice(0)) done();
    });
    v.on('signal', ({ name, properties }) => {
      this.onsignal?.(name === SIGNAL_NAME ? decodeSignal(properties) : { name, properties });
    });
    v.on('connectFail', ({ code, reason, willRetry }) => {
      if (willRetry) return;
      const authorization = code === CloseCode.unauthorized || code === CloseCode.forbidden;
      this.#error(authorization ? 'authorization' : 'conndrop', reason);
    });
    v.on('notConfigured', ({ reason }) => this.#error('notconfigured', reason));
    v.on('invalidParameter', ({ param, reason }) =>
      this.#error('invalidparameter', `${param} ${reason}`),
    );
    v.on('sendFail', ({ reason }) => this.#error('sendfail', reason));
    // Visibility and focus reclaim as the original's page script does; presence stays the
    // page's to send (navigation: false), merged here.
    if (typeof window !== 'undefined') wirePage(v, { navigation: false });
    PresenceVisitor.instance = this;
  }

  #error(code: string, msg: string) {
    try {
      this.onerror?.({ code, msg });
    } catch (error) {
      console.error(error);
    }
  }

  /** Connects to the presence service (again after a `disconnect()`); does nothing while connected. */
  connect(): void {
    if (!this.#initialized) {
      this.#initialized = true;
      if (this.beckon.init({ groupId: this.groupid, visitorId: this.visitorid }) !== 'initialized')
        return;
    }
    this.beckon.connect();
  }

  /** Disconnects, as on logout. */
  disconnect(): void {
    this.beckon.disconnect();
  }

  /**
   * Sends presence: `data` (flat strings and numbers) merged into what the service holds;
   * the first call on a page starts from the page's URL and browser. Connects when needed;
   * `onsuccess` runs once the data went out.
   */
  presence(params: { data?: GlanceData; onsuccess?: () => void } = {}): void {
    const encoded = encodeData(params.data ?? {});
    if (!encoded.ok) {
      this.#error('invalidparameter', `${encoded.param} ${encoded.reason}`);
      return;
    }
    if (this.#data === undefined) {
      const facts = encodeData({ ...pageFacts(window) });
      this.#data = facts.ok ? facts.data : {};
    }
    this.#data = { ...this.#data, ...encoded.data };
    if (this.beckon.getSnapshot().connection === 'connected') {
      this.beckon.presence(this.#data);
      params.onsuccess?.();
      return;
    }
    if (params.onsuccess) this.#waiting.push(params.onsuccess);
    this.connect();
  }

  /**
   * Tells the agent something: `fire('terms', { status: 'accepted' })` is the terms status
   * agents hear as `onterms`; any other type reaches the agent's `on<type>` handler.
   */
  fire(type: string, data: Record<string, string | number> = {}): void {
    if (type === 'terms') {
      this.beckon.signalAgent('terms', { status: String(data.status) });
      return;
    }
    const encoded = encodeData(data);
    if (!encoded.ok) {
      this.#error('invalidparameter', `${encoded.param} ${encoded.reason}`);
      return;
    }
    this.beckon.signalAgent(`c_${type}`, encoded.data);
  }
}
