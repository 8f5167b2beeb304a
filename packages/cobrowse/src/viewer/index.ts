/**
 * `@beckon/cobrowse/viewer`: the agent's side of a co-browse session — a live view of the
 * visitor's page for any container, with the agent's pointer sent back.
 */
export type {
  CobrowseViewer,
  CobrowseViewerOptions,
  CobrowseViewerState,
  CobrowseViewerStatus,
} from './mountCobrowseViewer.js';
export { mountCobrowseViewer } from './mountCobrowseViewer.js';
