// import-species FILE.csv: system species with their description and call types, e.g.
//   species,common_name,description,call_types
//   Myotis lucifugus,Little brown bat,"Fast FM sweeps",FM:Frequency modulated;FB:Feeding buzz
// Existing species (same scientific name) keep their rows and gain missing call types. The file
// is checked completely before anything is written, and the writes are one transaction.
import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { DomainError } from "../access/errors.ts";
import { ZCallTypeLongName, ZCallTypeShortName } from "../species/species.schemas.ts";
import type { ProcedureReporter } from "./reporter.ts";

/** RFC 4180: commas, "quoted, fields", "" for a quote inside quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  const s = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && s[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (quoted) throw new DomainError("BAD_REQUEST", "The CSV ends inside a quoted field");
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ""));
}

export interface SpeciesRow {
  line: number;
  name: string;
  commonName: string;
  description: string;
  callTypes: { shortName: string; longName: string }[];
}

export function parseSpeciesCsv(text: string): SpeciesRow[] {
  const rows = parseCsv(text);
  const header = rows[0]?.map((h) => h.trim().toLowerCase().replace(/\s+/g, "_"));
  if (!header) throw new DomainError("BAD_REQUEST", "The file is empty");
  const col = (name: string) => header.indexOf(name);
  const iName = col("species");
  const iCalls = col("call_types");
  if (iName < 0 || iCalls < 0)
    throw new DomainError(
      "BAD_REQUEST",
      "The header must name the columns species and call_types (and optionally common_name, description)",
    );
  const iCommon = col("common_name");
  const iDesc = col("description");
  const errors: string[] = [];
  const out: SpeciesRow[] = [];
  const seen = new Set<string>();
  for (const [n, r] of rows.slice(1).entries()) {
    const line = n + 2;
    const name = (r[iName] ?? "").trim();
    if (!name) {
      errors.push(`line ${line}: species is empty`);
      continue;
    }
    if (name.length > 200) errors.push(`line ${line}: species name longer than 200 characters`);
    if (seen.has(name.toLowerCase())) errors.push(`line ${line}: ${name} appears twice`);
    seen.add(name.toLowerCase());
    const callTypes: SpeciesRow["callTypes"] = [];
    const shorts = new Set<string>();
    for (const part of (r[iCalls] ?? "").split(";")) {
      if (!part.trim()) continue;
      const sep = part.indexOf(":");
      const short = ZCallTypeShortName.safeParse((sep < 0 ? part : part.slice(0, sep)).trim());
      const long = ZCallTypeLongName.safeParse(sep < 0 ? "" : part.slice(sep + 1).trim());
      if (!short.success)
        errors.push(`line ${line}: call type "${part.trim()}": ${short.error.issues[0]?.message}`);
      else if (!long.success)
        errors.push(`line ${line}: call type "${part.trim()}": ${long.error.issues[0]?.message}`);
      else if (shorts.has(short.data.toLowerCase()))
        errors.push(`line ${line}: call type ${short.data} twice`);
      else {
        shorts.add(short.data.toLowerCase());
        callTypes.push({ shortName: short.data, longName: long.data });
      }
    }
    if (callTypes.length === 0) errors.push(`line ${line}: ${name} has no call types`);
    out.push({
      line,
      name,
      commonName: iCommon >= 0 ? (r[iCommon] ?? "").trim() : "",
      description: iDesc >= 0 ? (r[iDesc] ?? "").trim() : "",
      callTypes,
    });
  }
  if (out.length === 0 && errors.length === 0) errors.push("The file has a header but no species");
  if (errors.length > 0)
    throw new DomainError(
      "BAD_REQUEST",
      `The species file has ${errors.length} problem(s); nothing was imported:\n${errors.slice(0, 20).join("\n")}`,
    );
  return out;
}

export interface ImportSpeciesResult {
  speciesCreated: number;
  speciesExisting: number;
  callTypesCreated: number;
  dryRun: boolean;
}

export async function importSpecies(
  { db }: DbContext,
  input: { csv: string; dryRun?: boolean },
  report: ProcedureReporter,
): Promise<ImportSpeciesResult> {
  const rows = parseSpeciesCsv(input.csv);
  const dryRun = input.dryRun ?? false;
  const result: ImportSpeciesResult = { speciesCreated: 0, speciesExisting: 0, callTypesCreated: 0, dryRun };
  await inTransaction(
    db,
    async (tx) => {
      for (const row of rows) {
        let species = await tx.species.findFirst({ where: { groupId: null, name: row.name } });
        const isNew = !species;
        if (species) result.speciesExisting++;
        else {
          result.speciesCreated++;
          if (!dryRun)
            species = await tx.species.create({
              data: {
                name: row.name,
                commonName: row.commonName,
                description: row.description,
                isSystem: true,
              },
            });
        }
        const existing = species
          ? new Set(
              (
                await tx.callType.findMany({ where: { speciesId: species.id }, select: { shortName: true } })
              ).map((c) => c.shortName.toLowerCase()),
            )
          : new Set<string>();
        const missing = row.callTypes.filter((c) => !existing.has(c.shortName.toLowerCase()));
        result.callTypesCreated += missing.length;
        if (!dryRun && species && missing.length > 0)
          await tx.callType.createMany({ data: missing.map((c) => ({ ...c, speciesId: species.id })) });
        await report.log(
          `${row.name}: ${isNew ? "new" : "exists"}, ${missing.length} call type(s) ${dryRun ? "to add" : "added"}`,
        );
      }
    },
    { timeout: 120_000 },
  );
  await report.log(
    `${dryRun ? "Would import" : "Imported"}: ${result.speciesCreated} species created, ${result.speciesExisting} existing, ${result.callTypesCreated} call types added`,
  );
  return result;
}
