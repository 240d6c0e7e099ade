// A launch plan that tells people how its executions end (docs/notifications.md): a mail to the team
// when one succeeds or fails, a Slack post when one fails, and a page through PagerDuty's email
// integration when one times out. Admin sends them once `notifications.email` and `.slack` are set up.
import { email, launchPlan, pagerDuty, slack } from "tsflyte";
import { hello_wf } from "./hello.js";

export const hello_alerts = launchPlan(hello_wf, {
  notifications: [
    email({ phases: ["SUCCEEDED", "FAILED"], recipientsEmail: ["data-team@example.com"] }),
    slack({ phases: ["FAILED"], recipientsEmail: ["alerts"] }),
    pagerDuty({ phases: ["TIMED_OUT"], recipientsEmail: ["oncall@example.pagerduty.com"] }),
  ],
});
