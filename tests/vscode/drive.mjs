/**
 * Drives a real VS Code (code-server in headless Debian chromium through playwright-core) through Splice's
 * inline diff review: open inventory/reports.py, Ctrl+. on the `low_stock` stub, choose "Generate the body",
 * reject the first hunk with its CodeLens (it must be struck through), accept the second with the editor title's ✓
 * button (the control a profile with `diffEditor.codeLens` off has), answer the summary, save, check the file on disk.
 *
 * Started by run.sh, which owns every process (code-server, the fake model, the splice server under code-server)
 * and passes what this needs in the environment:
 *   E2E_URL          code-server's base URL (http://127.0.0.1:<port>/)
 *   E2E_WORKSPACE    the copied example workspace
 *   E2E_SHOTS        folder for the step screenshots
 *   E2E_PLAYWRIGHT   folder whose node_modules holds playwright-core
 *   E2E_CHROMIUM     the chromium executable (default /usr/bin/chromium)
 * Exits 0 when the file on disk is exactly the original with only the accepted hunk applied, 1 otherwise.
 */

import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const env = (name) => {
    const value = process.env[name];
    if (!value) {
        throw new Error(`drive.mjs: ${name} is not set (run tests/vscode/run.sh)`);
    }
    return value;
};

const url = env("E2E_URL");
const workspace = env("E2E_WORKSPACE");
const shots = env("E2E_SHOTS");
const { chromium } = createRequire(join(env("E2E_PLAYWRIGHT"), "package.json"))("playwright-core");
const chromiumPath = process.env.E2E_CHROMIUM || "/usr/bin/chromium";

const FILE = "inventory/reports.py";
const ACTION = "Splice: Generate the body of `low_stock`";
// What the fake model's answer (replies.json) adds: hunk 1 is the comment, hunk 2 replaces the stub's raise.
const COMMENT = "    # Sorted so reports are stable between runs.\n";
const STUB = "    raise NotImplementedError\n";
const BODY = "    return sorted(level.item.sku for level in repo.all() if level.available() < threshold)\n";

const original = readFileSync(join(workspace, FILE), "utf8");
if (!original.includes(STUB)) {
    throw new Error(`${FILE} has no "${STUB.trim()}" stub: the fixture changed`);
}
// Hunk 1 (the comment) is rejected and hunk 2 (the body) accepted: only the stub line changes.
const expected = original.replace(STUB, BODY);

let step = 0;
async function shot(page, name) {
    step += 1;
    const path = join(shots, `${String(step).padStart(2, "0")}-${name}.png`);
    await page.screenshot({ path });
    console.log(`screenshot: ${path}`);
}

function log(message) {
    console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

async function quickOpen(page, name) {
    await page.keyboard.press("Control+P");
    const input = page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible", timeout: 15_000 });
    await input.fill(name);
    await page.locator(".quick-input-list .monaco-list-row", { hasText: name.split("/").pop() }).first().waitFor({ timeout: 15_000 });
    await page.keyboard.press("Enter");
}

/** Moves the cursor with Go to Line (Ctrl+G), which takes `line:column` (1-based). */
async function goTo(page, line, column) {
    await page.keyboard.press("Control+G");
    const input = page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible", timeout: 15_000 });
    await input.fill(`:${line}:${column}`);
    await page.keyboard.press("Enter");
    await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: 15_000 });
}

/**
 * Waits for `locator`, failing at once with the message when an error notification appears meanwhile
 * (a refused request, a server exception): those are the failures a selector timeout would only hide.
 */
async function waitOrError(page, locator, timeout) {
    const error = page.locator(".notifications-toasts .notification-list-item").filter({ has: page.locator(".codicon-error") });
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
        if (await locator.first().isVisible()) {
            return;
        }
        if ((await error.count()) > 0) {
            const text = await error.first().locator(".notification-list-item-message").innerText();
            throw new Error(`VS Code showed an error: ${text}`);
        }
        await sleep(250);
    }
    await locator.first().waitFor({ timeout: 1 }); // throws playwright's timeout error, naming the locator
}

async function waitForDisk(predicate, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    let text = "";
    while (Date.now() < deadline) {
        text = readFileSync(join(workspace, FILE), "utf8");
        if (predicate(text)) {
            return text;
        }
        await sleep(250);
    }
    return text;
}

async function main() {
    const browser = await chromium.launch({
        executablePath: chromiumPath,
        headless: true,
        args: [
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
        ],
    });
    let page;
    try {
        const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
        page = await context.newPage();
        page.on("pageerror", (error) => log(`page error: ${error.message}`));

        log(`opening ${url}?folder=${workspace}`);
        await page.goto(`${url}?folder=${encodeURIComponent(workspace)}`, { waitUntil: "domcontentloaded", timeout: 60_000 });
        await page.locator(".monaco-workbench").waitFor({ timeout: 90_000 });
        await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "inventory" }).first().waitFor({ timeout: 90_000 });
        await shot(page, "workbench");

        log(`opening ${FILE}`);
        await quickOpen(page, FILE);
        await page.locator(".tab.active", { hasText: "reports.py" }).waitFor({ timeout: 30_000 });
        await page.locator(".monaco-editor .view-lines", { hasText: "raise NotImplementedError" }).first().waitFor({ timeout: 30_000 });

        // The extension activates on Python and starts the server; code actions need a finished index.
        log("waiting for the Splice server's index (status bar)");
        const ready = page.locator(".statusbar-item", { hasText: "Splice" }).filter({ has: page.locator(".codicon-check") });
        const broken = page.locator(".statusbar-item", { hasText: /Splice: (server stopped|index error)/ });
        await Promise.race([
            ready.first().waitFor({ timeout: 180_000 }),
            broken.first().waitFor({ timeout: 180_000 }).then(async () => {
                throw new Error(`the Splice server did not start: ${await broken.first().innerText()}`);
            }),
        ]);
        // Hide the side bar: the diff gets the width (the screenshots are also the README's).
        await page.keyboard.press("Control+B");
        await page.locator(".part.sidebar").waitFor({ state: "hidden", timeout: 15_000 });
        await shot(page, "file-open-index-ready");

        const lines = original.split("\n");
        const stubLine = lines.findIndex((l) => l === STUB.trimEnd()) + 1;
        const stubColumn = STUB.indexOf("raise") + 1;
        await page.locator(".monaco-editor .view-lines").first().click();
        await goTo(page, stubLine, stubColumn);

        log("Ctrl+. on the stub");
        const menu = page.locator(".action-widget");
        const item = menu.locator(".monaco-list-row", { hasText: ACTION });
        for (let attempt = 1; ; attempt++) {
            await page.keyboard.press("Control+.");
            try {
                await item.first().waitFor({ timeout: 15_000 });
                break;
            } catch (error) {
                // The first request can race the server's first analysis of the file: close the menu and ask again.
                if (attempt >= 4) {
                    throw error;
                }
                log(`no "${ACTION}" yet (attempt ${attempt}); retrying`);
                await page.keyboard.press("Escape");
                await sleep(3_000);
            }
        }
        await shot(page, "code-actions");
        await item.first().click();

        log("waiting for the inline review (diff editor with CodeLenses)");
        const diff = page.locator(".monaco-diff-editor").first();
        await waitOrError(page, diff, 120_000);
        await page.locator(".tab.active", { hasText: "Splice:" }).waitFor({ timeout: 30_000 });
        const lenses = page.locator(".monaco-diff-editor .codelens-decoration");
        const acceptFirst = lenses.filter({ hasText: "Accept hunk 1/2" });
        const acceptSecond = lenses.filter({ hasText: "Accept hunk 2/2" });
        await waitOrError(page, acceptFirst.first(), 60_000);
        await acceptSecond.first().waitFor({ timeout: 60_000 });
        if (readFileSync(join(workspace, FILE), "utf8") !== original) {
            throw new Error(`${FILE} changed on disk before anything was accepted`);
        }
        await shot(page, "inline-review");
        // The per-hunk title buttons work without diffEditor.codeLens (a fresh profile has it off).
        const acceptHere = page.locator('.editor-actions .action-label[aria-label*="Accept This Hunk"]').first();
        await acceptHere.waitFor({ timeout: 30_000 });
        await page.locator('.editor-actions .action-label[aria-label*="Reject This Hunk"]').first().waitFor({ timeout: 30_000 });

        log("rejecting hunk 1/2 (CodeLens)");
        await acceptFirst.first().locator("a", { hasText: "Reject" }).click();
        await lenses.filter({ hasText: "Rejected hunk 1/2" }).first().waitFor({ timeout: 30_000 });
        // The rejected hunk's proposed line is struck through in the proposed (modified) side.
        const commentSpan = page
            .locator(".monaco-diff-editor .editor.modified .view-line span span", { hasText: COMMENT.trim().slice(2, 20) })
            .first();
        const struck = async () =>
            commentSpan.evaluate((el) => {
                for (let node = el; node && !node.classList.contains("view-line"); node = node.parentElement) {
                    if (getComputedStyle(node).textDecorationLine.includes("line-through")) {
                        return true;
                    }
                }
                return false;
            });
        const strikeDeadline = Date.now() + 15_000;
        while (!(await struck())) {
            if (Date.now() > strikeDeadline) {
                throw new Error("the rejected hunk's line is not struck through");
            }
            await sleep(250);
        }
        await shot(page, "hunk1-rejected");

        log("accepting hunk 2/2 (editor title ✓ button)");
        await acceptHere.click();

        log("final summary before anything is written: Apply");
        const dialog = page.locator(".monaco-dialog-box", { hasText: "Apply 1 of 2 hunks" });
        await waitOrError(page, dialog, 30_000);
        await shot(page, "final-summary");
        await dialog.locator(".monaco-button", { hasText: /^Apply$/ }).first().click();

        // The server applies the accepted hunk through workspace/applyEdit into the open document; the review closes.
        await page.locator(".tab", { hasText: "Splice:" }).waitFor({ state: "detached", timeout: 60_000 });
        await waitOrError(page, page.locator(".notifications-toasts", { hasText: "Applied" }), 30_000);
        await shot(page, "applied");

        log(`saving ${FILE}`);
        await quickOpen(page, FILE);
        const editorText = page.locator(".monaco-editor .view-lines", { hasText: "return sorted(level.item.sku" }).first();
        await editorText.waitFor({ timeout: 30_000 });
        await page.keyboard.press("Control+S");
        const onDisk = await waitForDisk((text) => text !== original, 30_000);
        await shot(page, "saved");

        if (onDisk !== expected) {
            console.error(`FAIL: ${FILE} on disk is not the original with only hunk 2 applied.\n--- got ---\n${onDisk}\n--- expected ---\n${expected}`);
            return 1;
        }
        if (onDisk.includes(COMMENT.trim())) {
            console.error("FAIL: the rejected hunk (the comment) was applied");
            return 1;
        }
        log(`PASS: ${FILE} has the accepted hunk only`);
        return 0;
    } catch (error) {
        console.error(`FAIL: ${error instanceof Error ? error.stack : error}`);
        if (page) {
            await shot(page, "failure").catch(() => undefined);
            // The notifications usually say why (a server error, a refused request): print them with the failure.
            const toasts = await page.locator(".notifications-toasts .notification-list-item-message").allInnerTexts().catch(() => []);
            for (const text of toasts) {
                console.error(`notification: ${text}`);
            }
        }
        return 1;
    } finally {
        await browser.close();
    }
}

process.exitCode = await main();
