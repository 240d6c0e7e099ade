import { parseArgs } from "../args.js";
import { adminClients } from "../client.js";
import { loadClientConfig } from "../config.js";
import { UsageError } from "../errors.js";

export const terminateHelp = `Usage: tsflyte terminate execution NAME [--cause TEXT]

Asks admin to abort a running execution; its running nodes are stopped and marked ABORTED.

Options:
  -p, --project P     project (default: config, then flytesnacks)
  -d, --domain D      domain (default: config, then development)
  --cause TEXT        why, recorded on the execution (default "terminated by user")
  -c, --config FILE   config file
  -h, --help          show this help`;

const OPTIONS = {
  cause: { value: true },
  project: { value: true, short: "p" },
  domain: { value: true, short: "d" },
  config: { value: true, short: "c" },
  help: { value: false, short: "h" },
};

export async function terminateCommand(argv: string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS);
  const [what, name] = positionals;
  if (options.help || what !== "execution") {
    console.log(terminateHelp);
    return options.help ? 0 : 2;
  }
  if (!name) throw new UsageError("terminate execution needs the execution's NAME");
  const config = loadClientConfig(options.config as string | undefined);
  const project = (options.project as string | undefined) ?? config.project;
  const domain = (options.domain as string | undefined) ?? config.domain;
  await adminClients(config.adminUrl).admin.terminateExecution({
    id: { project, domain, name },
    cause: (options.cause as string | undefined) ?? "terminated by user",
  });
  console.log(`execution ${name} is being terminated`);
  return 0;
}
