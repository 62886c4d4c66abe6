/**
 * Read-only Markdown pages for command results (usage report, error explanation, context): virtual documents
 * under `splice-report:`, so closing them never asks to save, shown in the Markdown preview.
 */

import * as vscode from "vscode";

export const REPORT_SCHEME = "splice-report";

export class Reports implements vscode.Disposable {
    private readonly pages = new Map<string, string>();
    private readonly changed = new vscode.EventEmitter<vscode.Uri>();
    private readonly registration: vscode.Disposable;

    constructor() {
        this.registration = vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, {
            onDidChange: this.changed.event,
            provideTextDocumentContent: (uri) => this.pages.get(uri.path) ?? "",
        });
    }

    /** Shows `markdown` as `name` (a later call with the same name replaces the page). */
    async show(name: string, markdown: string): Promise<void> {
        const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${name}` });
        this.pages.set(uri.path, markdown);
        this.changed.fire(uri);
        try {
            await vscode.commands.executeCommand("markdown.showPreview", uri);
        } catch {
            // The built-in Markdown extension can be disabled: the source is readable too.
            const document = await vscode.workspace.openTextDocument(uri);
            await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
        }
    }

    dispose(): void {
        this.registration.dispose();
        this.changed.dispose();
    }
}
