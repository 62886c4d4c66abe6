/** The server's toasts: a missing model gets Open Settings / Set API Key instead of CLI advice. */
import "./setup";
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { NO_MODEL_MESSAGE, OPEN_SETTINGS, SET_API_KEY, showServerMessage } from "../src/messages";
import { ui } from "./vscode-stub";

const SERVER_NO_MODEL =
    "Splice: no model configured for 'generate' — set SPLICE_MODEL (e.g. SPLICE_MODEL=openai/gpt-4o-mini), or `model = \"…\"` under [tool.splice] in pyproject.toml or .splice/config.toml, or the editor setting splice.model, or pass --model";

describe("server messages", () => {
    beforeEach(() => ui.reset());

    it("a missing model offers Open Settings on splice.model", async () => {
        ui.answers.push(OPEN_SETTINGS);
        showServerMessage({ type: 2, message: SERVER_NO_MODEL });
        await new Promise((resolve) => setTimeout(resolve, 5));
        assert.deepEqual(ui.called("showWarningMessage")[0]?.args, [NO_MODEL_MESSAGE, OPEN_SETTINGS, SET_API_KEY]);
        assert.doesNotMatch(NO_MODEL_MESSAGE, /SPLICE_MODEL|--model|pyproject/);
        assert.deepEqual(ui.called("command:workbench.action.openSettings")[0]?.args, ["splice.model"]);
    });

    it("Set API Key… runs the key command; other messages show as they are", async () => {
        ui.answers.push(SET_API_KEY);
        showServerMessage({ type: 2, message: SERVER_NO_MODEL });
        await new Promise((resolve) => setTimeout(resolve, 5));
        assert.equal(ui.called("command:splice.setApiKey").length, 1);
        showServerMessage({ type: 1, message: "Splice: the model server is down" });
        showServerMessage({ type: 3, message: "Splice: applied" });
        assert.deepEqual(ui.called("showErrorMessage")[0]?.args, ["Splice: the model server is down"]);
        assert.deepEqual(ui.called("showInformationMessage")[0]?.args, ["Splice: applied"]);
    });
});
