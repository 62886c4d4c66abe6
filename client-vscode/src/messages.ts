/**
 * The server's `window/showMessage` as toasts, with a way forward where there is one: "no model configured" gets
 * *Open Settings* and *Set API Key…* instead of the CLI's environment-variable advice. Everything else shows as
 * vscode-languageclient would (it is registered in place of the library's own handler).
 */

import * as vscode from "vscode";

export const OPEN_SETTINGS = "Open Settings";
export const SET_API_KEY = "Set API Key…";

/** The server's message for a missing model (llm/gateway.py NoModelConfigured), after the "Splice: " prefix. */
export function isNoModel(message: string): boolean {
    return /\bno model configured\b/i.test(message);
}

export const NO_MODEL_MESSAGE =
    "Splice has no model yet. Set splice.model to a litellm model (for example openai/gpt-4o-mini, anthropic/claude-sonnet-4-5 or ollama/qwen2.5-coder), then store its key with Set API Key….";

export function showServerMessage(params: { type: number; message: string }): void {
    if (isNoModel(params.message)) {
        void vscode.window.showWarningMessage(NO_MODEL_MESSAGE, OPEN_SETTINGS, SET_API_KEY).then((choice) => {
            if (choice === OPEN_SETTINGS) {
                void vscode.commands.executeCommand("workbench.action.openSettings", "splice.model");
            } else if (choice === SET_API_KEY) {
                void vscode.commands.executeCommand("splice.setApiKey");
            }
        });
        return;
    }
    switch (params.type) {
        case 1:
            void vscode.window.showErrorMessage(params.message);
            return;
        case 2:
            void vscode.window.showWarningMessage(params.message);
            return;
        default:
            void vscode.window.showInformationMessage(params.message);
    }
}
