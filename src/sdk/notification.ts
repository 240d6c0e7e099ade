// Launch plan notifications, as flytekit's Email, Slack and PagerDuty: the terminal workflow phases
// to fire on and the recipients. Admin sends them (docs/notifications.md); whatever the kind, a
// recipient written `webhook:<name>` goes to a webhook of admin's config.

/** The phases a notification may fire on: flytekit and flyteadmin allow the terminal ones only. */
export const NOTIFICATION_PHASES = ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"] as const;
export type NotificationPhase = (typeof NOTIFICATION_PHASES)[number];

// A workflow's other phases, to tell "not terminal" from "no such phase".
const NON_TERMINAL_PHASES = ["UNDEFINED", "QUEUED", "RUNNING", "SUCCEEDING", "FAILING", "ABORTING"];

export type NotificationKind = "email" | "slack" | "pagerDuty";

export interface NotificationOptions {
  /** When to send: one or more of SUCCEEDED, FAILED, TIMED_OUT, ABORTED. */
  phases: NotificationPhase[];
  /** Email addresses, Slack channel names (for `slack`), or `webhook:<name>`. */
  recipientsEmail: string[];
  /**
   * The message body, with flyteadmin's `{{ placeholders }}`; admin's default when omitted.
   * flytekit has no such option, so its notifications always use the default.
   */
  template?: string;
}

export interface Notification {
  readonly kind: NotificationKind;
  readonly phases: readonly NotificationPhase[];
  readonly recipientsEmail: readonly string[];
  readonly template: string;
}

/** Sends an email to each recipient (flytekit's `Email`). */
export const email = (options: NotificationOptions): Notification => notification("email", options);

/** Posts to each Slack channel (flytekit's `Slack`). */
export const slack = (options: NotificationOptions): Notification => notification("slack", options);

/** Emails PagerDuty's integration addresses (flytekit's `PagerDuty`). */
export const pagerDuty = (options: NotificationOptions): Notification => notification("pagerDuty", options);

/**
 * Checks a notification where it is defined, so a mistake fails `tsflyte package` or `register`
 * instead of CreateLaunchPlan. Also used on launch plan options, which plain JavaScript may fill
 * with hand-made objects.
 */
export function checkNotification(value: Partial<Notification>, where: string): Notification {
  const kind = value?.kind;
  if (kind !== "email" && kind !== "slack" && kind !== "pagerDuty") {
    throw new Error(
      `${where}: kind ${JSON.stringify(kind)} is not a notification kind; make it with email(), slack() or pagerDuty()`,
    );
  }
  return notification(kind, value as NotificationOptions, where);
}

function notification(
  kind: NotificationKind,
  options: NotificationOptions,
  where = `${kind} notification`,
): Notification {
  const { phases, recipientsEmail, template = "" } = options;
  const allowed = NOTIFICATION_PHASES.join(", ");
  if (!Array.isArray(phases) || phases.length === 0) {
    throw new Error(`${where}: phases is empty; give at least one of ${allowed}`);
  }
  for (const phase of phases) {
    if (NOTIFICATION_PHASES.includes(phase)) continue;
    if (NON_TERMINAL_PHASES.includes(phase)) {
      throw new Error(`${where}: phase ${phase} is not terminal; notifications fire only on ${allowed}`);
    }
    throw new Error(`${where}: unknown phase ${JSON.stringify(phase)}; use ${allowed}`);
  }
  if (!Array.isArray(recipientsEmail) || recipientsEmail.length === 0) {
    throw new Error(`${where}: recipientsEmail is empty; give at least one recipient`);
  }
  recipientsEmail.forEach((recipient, i) => {
    if (typeof recipient !== "string" || recipient.trim() === "") {
      throw new Error(`${where}: recipientsEmail[${i}] is empty; give an address, a channel or webhook:<name>`);
    }
  });
  if (typeof template !== "string") throw new Error(`${where}: template must be a string`);
  return Object.freeze({ kind, phases: [...phases], recipientsEmail: [...recipientsEmail], template });
}
