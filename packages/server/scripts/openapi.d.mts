// Types of openapi.mjs, for the test that holds the checked-in files to the generator.
export declare const DOCUMENT_PATH: string;
export declare const DOCS_PATH: string;
export declare const BEGIN: string;
export declare const END: string;
export declare function formatDocument(doc: object): string;
export declare function renderOpenApiMarkdown(doc: object): string;
export declare function spliceDocs(page: string, markdown: string): string;
export declare function generate(): Promise<object>;
