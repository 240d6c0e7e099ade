// Gate nodes in a local run. A sleep really sleeps; a signal or an approval takes its value from the run's
// `signals`, else asks a person (flytekit asks on stdin too), else fails saying how to give the value.
import { createInterface } from "node:readline/promises";
import { setTimeout as delay } from "node:timers/promises";
import type { GraphNode } from "../graph.js";
import { SIGNAL_OUTPUT } from "../gate.js";
import { type AnyType, TypeMismatchError, t } from "../types/index.js";
import { WorkflowFailure } from "./errors.js";

type Values = Record<string, unknown>;

/** Asks a person one question and returns the answer line. */
export type Ask = (question: string) => Promise<string>;

/** The default way to ask: on the terminal, when stdin is one; prompts go to stderr, away from the outputs. */
export function terminalAsk(): Ask | undefined {
  if (!process.stdin.isTTY) return undefined;
  return async (question) => {
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await prompt.question(question);
    } finally {
      prompt.close();
    }
  };
}

const YES = new Set(["", "y", "yes"]);
const NO = new Set(["n", "no"]);

export class LocalGates {
  /** Questions go one at a time, even when gates in parallel branches wait together. */
  private asking: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly signals: Values,
    private readonly ask: Ask | undefined,
  ) {}

  /** Waits as the gate node says and returns its outputs. */
  async pass(node: GraphNode, inputs: Values, path: string): Promise<Values> {
    if (node.target.kind !== "gate") throw new Error("internal: not a gate node");
    const { gate } = node.target;
    switch (gate.kind) {
      case "sleep":
        await delay(gate.durationMs);
        return {};
      case "signal":
        return { [SIGNAL_OUTPUT]: await this.value(gate.signalId, gate.type, path) };
      case "approve": {
        const [[variable, value]] = Object.entries(inputs);
        const shown = JSON.stringify(node.inputTypes[variable].toJson(value));
        if (!(await this.approval(gate.signalId, `${variable} = ${shown}`, path))) {
          throw new WorkflowFailure(`gate "${gate.signalId}" (node ${path}): the approval was rejected`, path);
        }
        return inputs;
      }
    }
  }

  private async value(signalId: string, type: AnyType, path: string): Promise<unknown> {
    const what = `gate "${signalId}" (node ${path})`;
    if (Object.hasOwn(this.signals, signalId)) return given(what, path, type, this.signals[signalId]);
    const needs = `a value of type ${type.name}`;
    return this.question(what, path, needs, `${signalId}=VALUE`, async (ask) => {
      for (let question = `${what} waits for ${needs}: `; ; ) {
        const answer = await ask(question);
        try {
          return type.fromText(answer);
        } catch (error) {
          if (!(error instanceof TypeMismatchError)) throw error;
          question = `${error.message}\n${what} waits for ${needs}: `;
        }
      }
    });
  }

  private async approval(signalId: string, shown: string, path: string): Promise<boolean> {
    const what = `gate "${signalId}" (node ${path})`;
    if (Object.hasOwn(this.signals, signalId)) return given(what, path, t.boolean(), this.signals[signalId]) as boolean;
    return this.question(what, path, "an approval", `${signalId}=true (or false to reject)`, async (ask) => {
      const question = `${what}: approve ${shown}? [Y/n] `;
      for (;;) {
        const answer = (await ask(question)).trim().toLowerCase();
        if (YES.has(answer)) return true;
        if (NO.has(answer)) return false;
      }
    });
  }

  /** Asks through `dialog`, one question at a time; without a way to ask, says how to give the value. */
  private question<T>(
    what: string,
    path: string,
    needs: string,
    flag: string,
    dialog: (ask: Ask) => Promise<T>,
  ): Promise<T> {
    const { ask } = this;
    if (!ask) {
      throw new WorkflowFailure(
        `${what} waits for ${needs} and none was given: pass --signal ${flag} to tsflyte run ` +
          "(runLocal: the signals option), or run on a terminal to be asked",
        path,
      );
    }
    const answered = this.asking.then(() => dialog(ask));
    this.asking = answered.catch(() => undefined);
    return answered;
  }
}

/** A value from `signals`: text is read as `tsflyte run` reads input text, then checked against the type. */
function given(what: string, path: string, type: AnyType, value: unknown): unknown {
  try {
    const typed = typeof value === "string" ? type.fromText(value) : value;
    return type.fromLiteral(type.toLiteral(typed));
  } catch (error) {
    if (!(error instanceof TypeMismatchError)) throw error;
    throw new WorkflowFailure(
      `${what} expects a value of type ${type.name}, got ${JSON.stringify(value)}: ${error.message}`,
      path,
    );
  }
}
