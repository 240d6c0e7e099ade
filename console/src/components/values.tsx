// Inputs, outputs and interfaces as tables of names, types and readable values.
import type { TypedInterface } from "../../../src/idl/gen/flyteidl/core/interface_pb.js";
import type { LiteralMap } from "../../../src/idl/gen/flyteidl/core/literals_pb.js";
import { literalToPlain, plainText, typeLabel } from "../lib/literals.js";

export function LiteralTable({ map, empty = "none" }: { map: LiteralMap | undefined; empty?: string }) {
  const entries = Object.entries(map?.literals ?? {});
  if (entries.length === 0) return <p className="muted">{empty}</p>;
  return (
    <table className="kv">
      <tbody>
        {entries.map(([name, literal]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>
              <pre className="value">{plainText(literalToPlain(literal))}</pre>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function InterfaceTable({ iface }: { iface: TypedInterface | undefined }) {
  const rows = [
    ...Object.entries(iface?.inputs?.variables ?? {}).map(([name, v]) => ({ dir: "input", name, v })),
    ...Object.entries(iface?.outputs?.variables ?? {}).map(([name, v]) => ({ dir: "output", name, v })),
  ];
  if (rows.length === 0) return <p className="muted">No inputs or outputs.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>direction</th>
          <th>name</th>
          <th>type</th>
          <th>description</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={`${row.dir}:${row.name}`}>
            <td>{row.dir}</td>
            <td className="mono">{row.name}</td>
            <td className="mono">{typeLabel(row.v.type)}</td>
            <td>{row.v.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
