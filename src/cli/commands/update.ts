import { LaunchPlanState, ResourceType } from "../../idl/index.js";
import { parseArgs } from "../args.js";
import { adminClients } from "../client.js";
import { loadClientConfig } from "../config.js";
import { UsageError } from "../errors.js";

export const updateHelp = `Usage: tsflyte update launchplan NAME --version V --activate|--deactivate

Activates a launch plan version (its schedule starts firing; any other active version of the
same name is deactivated) or deactivates it.

Options:
  -p, --project P     project (default: config, then flytesnacks)
  -d, --domain D      domain (default: config, then development)
  -c, --config FILE   config file
  -h, --help          show this help`;

const OPTIONS = {
  version: { value: true, short: "v" },
  activate: { value: false },
  deactivate: { value: false },
  project: { value: true, short: "p" },
  domain: { value: true, short: "d" },
  config: { value: true, short: "c" },
  help: { value: false, short: "h" },
};

export async function updateCommand(argv: string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS);
  const [what, name] = positionals;
  if (options.help || what !== "launchplan") {
    console.log(updateHelp);
    return options.help ? 0 : 2;
  }
  if (!name) throw new UsageError("update launchplan needs the launch plan's NAME");
  const version = options.version as string | undefined;
  if (!version) throw new UsageError("update launchplan needs --version V");
  if (options.activate === options.deactivate)
    throw new UsageError("update launchplan needs exactly one of --activate and --deactivate");
  const config = loadClientConfig(options.config as string | undefined);
  const project = (options.project as string | undefined) ?? config.project;
  const domain = (options.domain as string | undefined) ?? config.domain;
  const state = options.activate ? LaunchPlanState.ACTIVE : LaunchPlanState.INACTIVE;
  await adminClients(config.adminUrl).admin.updateLaunchPlan({
    id: { resourceType: ResourceType.LAUNCH_PLAN, project, domain, name, version },
    state,
  });
  console.log(`launch plan ${name}@${version} is now ${options.activate ? "ACTIVE" : "INACTIVE"}`);
  return 0;
}
