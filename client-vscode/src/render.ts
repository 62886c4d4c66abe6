/**
 * Turning command results into Markdown for the report view: the usage table, and the text/markdown results of
 * explain-error and show-context. Pure; results whose shape is unknown are shown as JSON rather than dropped.
 */

import { formatCost } from "./status";
import type { Outcome, UsageReport } from "./protocol";

/** Column headings people read, for the usage fields the server sends; unknown fields keep their names. */
export const USAGE_LABELS: Readonly<Record<string, string>> = {
    day: "Day",
    feature: "Feature",
    model: "Model",
    requests: "Requests",
    cache_hits: "From cache",
    errors: "Errors",
    prompt_tokens: "Prompt tokens",
    completion_tokens: "Answer tokens",
    cost: "Cost",
    latency_ms_p50: "Typical wait",
};

function cell(value: unknown, column = ""): string {
    if (value === null || value === undefined) {
        return "";
    }
    let text: string;
    if (typeof value === "number" && column === "cost") {
        text = formatDollars(value);
    } else if (typeof value === "number" && column.startsWith("latency_ms")) {
        text = value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
    } else if (typeof value === "number") {
        text = Number.isInteger(value) ? value.toLocaleString("en-US") : value.toFixed(2);
    } else {
        text = typeof value === "string" ? value : JSON.stringify(value);
    }
    return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** Dollars with the precision small model bills need: $0.0042, $1.25. */
export function formatDollars(dollars: number): string {
    if (dollars === 0) {
        return "$0";
    }
    return dollars < 0.01 ? `$${dollars.toFixed(4)}` : `$${dollars.toFixed(2)}`;
}

export function isUsageReport(value: unknown): value is UsageReport {
    if (typeof value !== "object" || value === null) {
        return false;
    }
    const report = value as Partial<UsageReport>;
    return typeof report.today?.cost === "number" && Array.isArray(report.rows);
}

/** The usage report as a Markdown page: today's totals, then one table row per row the server sent. */
export function usageMarkdown(report: UsageReport): string {
    const lines = [
        "# Splice usage",
        "",
        `Today: **${formatCost(report.today.cost)}** over ${report.today.requests} request${report.today.requests === 1 ? "" : "s"}.`,
        "",
    ];
    const rows = report.rows.filter((r): r is Record<string, unknown> => typeof r === "object" && r !== null);
    if (rows.length === 0) {
        lines.push("No model calls recorded yet.");
        return lines.join("\n") + "\n";
    }
    const columns: string[] = [];
    for (const row of rows) {
        for (const key of Object.keys(row)) {
            if (!columns.includes(key)) {
                columns.push(key);
            }
        }
    }
    const numeric = (c: string): boolean => rows.some((r) => typeof r[c] === "number");
    lines.push(
        `| ${columns.map((c) => USAGE_LABELS[c] ?? c).join(" | ")} |`,
        `| ${columns.map((c) => (numeric(c) ? "---:" : "---")).join(" | ")} |`,
    );
    for (const row of rows) {
        lines.push(`| ${columns.map((c) => cell(row[c], c)).join(" | ")} |`);
    }
    if (columns.includes("latency_ms_p50")) {
        lines.push("", "_Typical wait: the median time a model call took (answers from the cache not counted)._");
    }
    return lines.join("\n") + "\n";
}

/** Markdown for a command's result: a string as is, `{markdown}`/`{text}`/`{message}` unwrapped, else JSON. */
export function resultMarkdown(title: string, result: unknown): string | undefined {
    if (result === null || result === undefined) {
        return undefined;
    }
    let body: string;
    if (typeof result === "string") {
        body = result;
    } else if (typeof result === "object" && typeof (result as { markdown?: unknown }).markdown === "string") {
        body = (result as { markdown: string }).markdown;
    } else if (typeof result === "object" && typeof (result as { text?: unknown }).text === "string") {
        body = (result as { text: string }).text;
    } else {
        body = "```json\n" + JSON.stringify(result, null, 2) + "\n```";
    }
    return body.trimStart().startsWith("#") ? body : `# ${title}\n\n${body}`;
}

/** A short message a command result carries for a notification, if any. */
export function resultMessage(result: unknown): string | undefined {
    if (typeof result === "object" && result !== null) {
        const message = (result as { message?: unknown }).message;
        return typeof message === "string" && message ? message : undefined;
    }
    return undefined;
}

/** The message of an error of any kind (ResponseError, Error, string). */
export function errorText(error: unknown): string {
    if (error instanceof Error) {
        return error.message;
    }
    if (typeof error === "object" && error !== null) {
        // A JSON-RPC error object or anything else: its message, else its JSON — never "[object Object]".
        const message = (error as { message?: unknown }).message;
        if (typeof message === "string" && message) {
            return message;
        }
        try {
            return JSON.stringify(error);
        } catch {
            return Object.prototype.toString.call(error);
        }
    }
    return String(error);
}

/** A proposal outcome (apply / reject / undo / propose), which the server announces itself. */
export function isOutcome(value: unknown): value is Outcome {
    if (typeof value !== "object" || value === null) {
        return false;
    }
    const o = value as Partial<Outcome>;
    return typeof o.id === "string" && typeof o.applied === "boolean" && typeof o.status === "string" && typeof o.message === "string";
}
