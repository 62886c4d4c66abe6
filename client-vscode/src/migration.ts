/**
 * The migration in VS Code: a tree view of the plan (each step with its status and cost; a click opens the step's
 * proposal diff, or the plan) and a status-bar item "Migration 12/40", both fed by `splice/migrationStatus`.
 * `stepView` and `migrationBarText` are pure (the tests check them); `MigrationView` only paints.
 */

import * as vscode from "vscode";
import type { MigrationStatus, MigrationStep } from "./protocol";

const ICONS: Record<MigrationStep["status"], string> = {
    pending: "circle-large-outline",
    proposed: "eye",
    applying: "sync",
    done: "pass",
    failed: "error",
    skipped: "debug-step-over",
};

export interface StepView {
    label: string;
    description: string;
    tooltip: string;
    icon: string;
}

export function stepView(step: MigrationStep): StepView {
    const cost = step.dollars > 0 ? ` · $${step.dollars.toFixed(4)}` : "";
    const tries = step.attempts > 1 ? ` · ${step.attempts} attempts` : "";
    return {
        label: `${step.id} ${step.title}`,
        description: `${step.status}${cost}${tries}`,
        tooltip: step.reason ? `${step.kind} step, ${step.status}: ${step.reason}` : `${step.kind} step, ${step.status}`,
        icon: ICONS[step.status],
    };
}

/** "Migration 12/40" (steps done of all), or undefined once the migration is no longer active. */
export function migrationBarText(status: MigrationStatus | undefined): string | undefined {
    if (!status || status.state !== "active") {
        return undefined;
    }
    return `$(git-compare) Migration ${status.done}/${status.total}`;
}

export class MigrationView implements vscode.TreeDataProvider<MigrationStep>, vscode.Disposable {
    private status: MigrationStatus | undefined;
    private readonly changed = new vscode.EventEmitter<MigrationStep | undefined>();
    readonly onDidChangeTreeData = this.changed.event;
    private readonly bar = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 90);

    constructor(private readonly root: () => vscode.Uri | undefined) {
        this.bar.command = "splice.migrateContinue";
    }

    update(status: MigrationStatus): void {
        this.status = status;
        this.changed.fire(undefined);
        const text = migrationBarText(status);
        if (text === undefined) {
            this.bar.hide();
            return;
        }
        this.bar.text = text;
        this.bar.tooltip = `${status.target}: ${status.sitesLeft} of ${status.sitesTotal} sites left — click to continue`;
        this.bar.show();
    }

    getChildren(element?: MigrationStep): MigrationStep[] {
        return element || !this.status ? [] : this.status.steps;
    }

    getTreeItem(step: MigrationStep): vscode.TreeItem {
        const view = stepView(step);
        const item = new vscode.TreeItem(view.label);
        item.description = view.description;
        item.tooltip = view.tooltip;
        item.iconPath = new vscode.ThemeIcon(view.icon);
        const root = this.root();
        const target = step.proposal && root
            ? vscode.Uri.joinPath(root, ".splice", "proposals", `${step.proposal}.diff`)
            : this.status ? vscode.Uri.file(this.status.plan) : undefined;
        if (target) {
            item.command = { command: "vscode.open", title: "Open", arguments: [target] };
        }
        return item;
    }

    dispose(): void {
        this.changed.dispose();
        this.bar.dispose();
    }
}
