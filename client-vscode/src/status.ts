/**
 * The status bar item: index state, active model and today's cost in one entry, click → the Splice menu.
 * `statusView` is pure (the tests check its text); `StatusBar` only paints it.
 */

import * as vscode from "vscode";
import type { IndexStatusParams } from "./protocol";

export type ServerState = "starting" | "running" | "stopped" | "failed";

export interface StatusState {
    server: ServerState;
    /** Why the server is not running, shown in the tooltip. */
    serverMessage?: string;
    index?: IndexStatusParams;
    model?: string | null;
    todayCost?: number;
    pendingReviews: number;
    trusted: boolean;
}

export interface StatusView {
    text: string;
    tooltip: string;
    severity: "normal" | "warning" | "error";
}

export function formatCost(dollars: number): string {
    if (dollars > 0 && dollars < 0.01) {
        return "<$0.01";
    }
    return `$${dollars.toFixed(2)}`;
}

/** `openai/gpt-4o-mini` → `gpt-4o-mini`: the provider is in the tooltip, the bar has little room. */
export function shortModel(model: string): string {
    const slash = model.lastIndexOf("/");
    return slash >= 0 ? model.slice(slash + 1) : model;
}

export function indexPercent(index: IndexStatusParams): number | undefined {
    if (index.total <= 0) {
        return undefined;
    }
    return Math.min(100, Math.floor((index.done * 100) / index.total));
}

export function statusView(state: StatusState): StatusView {
    const lines: string[] = [];
    let text: string;
    let severity: StatusView["severity"] = "normal";
    if (state.server === "starting") {
        text = "$(loading~spin) Splice";
        lines.push("Starting the Splice server…");
    } else if (state.server === "stopped" || state.server === "failed") {
        text = "$(error) Splice: server stopped";
        severity = "error";
        lines.push(state.serverMessage ?? "The Splice server is not running.");
    } else {
        const index = state.index;
        if (index?.state === "indexing") {
            const pct = indexPercent(index);
            text = pct === undefined ? "$(sync~spin) Splice: indexing…" : `$(sync~spin) Splice: indexing ${pct}%`;
            lines.push(`Indexing: ${index.done}/${index.total}${index.message ? ` — ${index.message}` : ""}`);
        } else if (index?.state === "error") {
            text = "$(error) Splice: index error";
            severity = "error";
            lines.push(`Index error: ${index.message || "see the Splice log"}`);
        } else if (index?.state === "ready") {
            text = "$(check) Splice";
            lines.push(`Index ready${index.message ? `: ${index.message}` : ""}`);
        } else {
            text = "$(loading~spin) Splice";
            lines.push("Waiting for the index…");
        }
        text += ` · ${state.model ? shortModel(state.model) : "no model"}`;
        if (state.todayCost !== undefined) {
            text += ` · ${formatCost(state.todayCost)}`;
        }
        lines.push(state.model ? `Model: ${state.model}` : "No model configured: set splice.model.");
        if (state.todayCost !== undefined) {
            lines.push(`Spent today: ${formatCost(state.todayCost)}`);
        }
        if (!state.model && severity === "normal") {
            severity = "warning";
        }
    }
    if (state.pendingReviews > 0) {
        text += ` · ${state.pendingReviews} to review`;
        lines.push(`${state.pendingReviews} proposal${state.pendingReviews === 1 ? "" : "s"} waiting for review`);
    }
    if (!state.trusted) {
        lines.push("Restricted mode: verify commands do not run until you trust this workspace.");
    }
    lines.push("Click for the Splice menu.");
    return { text, tooltip: lines.join("\n"), severity };
}

export const MENU_COMMAND = "splice.showMenu";

/** Paints a StatusState onto one status bar item. */
export class StatusBar implements vscode.Disposable {
    private readonly item: vscode.StatusBarItem;
    private state: StatusState;

    constructor(trusted: boolean) {
        this.item = vscode.window.createStatusBarItem("splice.status", vscode.StatusBarAlignment.Right, 100);
        this.item.name = "Splice";
        this.item.command = MENU_COMMAND;
        this.state = { server: "starting", pendingReviews: 0, trusted };
        this.paint();
        this.item.show();
    }

    get current(): StatusState {
        return this.state;
    }

    update(change: Partial<StatusState>): void {
        this.state = { ...this.state, ...change };
        this.paint();
    }

    private paint(): void {
        const view = statusView(this.state);
        this.item.text = view.text;
        this.item.tooltip = view.tooltip;
        this.item.backgroundColor =
            view.severity === "error"
                ? new vscode.ThemeColor("statusBarItem.errorBackground")
                : view.severity === "warning"
                  ? new vscode.ThemeColor("statusBarItem.warningBackground")
                  : undefined;
    }

    dispose(): void {
        this.item.dispose();
    }
}
