/** BIND zone-file rendering of record specs, for users of any other DNS provider and for test servers. */
import { DnsRecordSpec, RecordType } from "./records";
import { presentTxt } from "./txt";

function absolute(host: string): string {
  return host.endsWith(".") ? host : `${host}.`;
}

/** One presentation-format value of a record. */
export function presentValue(type: DnsRecordSpec["type"], value: string): string {
  switch (type) {
    case RecordType.TXT:
      return presentTxt(value);
    case RecordType.CNAME:
      return absolute(value);
    case RecordType.MX: {
      const [priority, exchange] = value.trim().split(/\s+/);
      return `${priority} ${absolute(exchange)}`;
    }
  }
}

/** One line per value: `name. ttl IN TYPE value`, in the order given. */
export function renderZoneFile(records: readonly Pick<DnsRecordSpec, "name" | "type" | "values" | "ttl">[]): string {
  return records
    .flatMap((r) => r.values.map((v) => `${absolute(r.name)}\t${r.ttl}\tIN\t${r.type}\t${presentValue(r.type, v)}`))
    .join("\n")
    .concat(records.length ? "\n" : "");
}
