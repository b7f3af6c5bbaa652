export declare const WEBVIEW_FILES: string[];
export declare function buildWebview(o: { outdir: string; production?: boolean }): Promise<void>;
export declare function buildHostStub(o: { outfile: string }): Promise<void>;
export declare function buildNaivePeer(o: { outfile: string }): Promise<void>;
