/** What a species picker needs to know of each species (the species.list items). */
export interface PickableSpecies {
  id: string;
  name: string;
  isSystem: boolean;
  owner: string;
  systemCopyOf: string | null;
}

/**
 * The <option>s of a species picker, grouped by owner: "System species" (shared by every group,
 * edited by site admins) and the group's own. A group's copy of a system species says so, so the
 * two entries of the same name are never confused.
 */
export function SpeciesOptions({ species }: { species: readonly PickableSpecies[] | undefined }) {
  if (!species) return null;
  const system = species.filter((s) => s.isSystem);
  const own = species.filter((s) => !s.isSystem);
  return (
    <>
      {system.length > 0 ? (
        <optgroup label="System species">
          {system.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name} · System
            </option>
          ))}
        </optgroup>
      ) : null}
      {own.length > 0 ? (
        <optgroup label={`${own[0]?.owner ?? "Group"} species`}>
          {own.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name} · {s.owner}
              {s.systemCopyOf ? " (copy)" : ""}
            </option>
          ))}
        </optgroup>
      ) : null}
    </>
  );
}
