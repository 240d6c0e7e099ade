// Every type: structs with attribute access, enums, unions, optionals, maps, datetimes, durations.
import { t, task, workflow } from "tsflyte";

export const Order = t.struct({
  id: t.string(),
  items: t.list(t.struct({ sku: t.string(), quantity: t.int(), price: t.float() })),
  priority: t.enum(["low", "normal", "high"]),
  note: t.optional(t.string()),
});

export const summarize = task(
  {
    inputs: { order: Order, placed: t.datetime(), window: t.duration() },
    outputs: {
      totals: t.map(t.float()),
      due: t.datetime(),
      label: t.union(t.int(), t.string()),
      first_sku: t.string(),
    },
  },
  ({ order, placed, window }) => {
    const totals: Record<string, number> = {};
    for (const item of order.items) totals[item.sku] = (totals[item.sku] ?? 0) + item.quantity * item.price;
    return {
      totals,
      due: new Date(placed.getTime() + window),
      label: order.priority === "high" ? 1 : (order.note ?? "standard"),
      first_sku: order.items[0]?.sku ?? "",
    };
  },
);

export const shout = task({ inputs: { text: t.string() }, outputs: { text: t.string() } }, ({ text }) => ({
  text: text.toUpperCase(),
}));

export const order_wf = workflow(
  {
    inputs: {
      order: Order,
      placed: t.datetime().default(new Date("2026-01-01T00:00:00Z")),
      window: t.duration().default(2 * 3_600_000),
    },
    outputs: { totals: t.map(t.float()), due: t.datetime(), label: t.union(t.int(), t.string()), id: t.string() },
  },
  ({ order, placed, window }) => {
    const s = summarize({ order, placed, window });
    return { totals: s.totals, due: s.due, label: s.label, id: shout({ text: order.get("id") }).text };
  },
);
