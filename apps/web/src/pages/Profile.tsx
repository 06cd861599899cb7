import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import {
  Alert,
  Button,
  CopyButton,
  ErrorAlert,
  formatDate,
  Loading,
  PageHeader,
  SelectField,
  TextField,
} from "../components/ui";
import { StorageUsage } from "../features/storage/StorageUsage";
import { fieldErrors } from "../lib/errors";
import { applyTheme } from "../lib/theme";
import { type RouterOutputs, useTRPC } from "../lib/trpc";

type Profile = RouterOutputs["profile"]["get"];
type Colormap = Profile["spectrogramColormap"];
type Theme = Profile["theme"];

/** Option lists checked against the server's enums at compile time (both ways). */
const COLORMAPS = [
  "roseus",
  "viridis",
  "magma",
  "inferno",
  "plasma",
  "cividis",
  "hot",
  "gray",
  "classic",
] as const satisfies readonly Colormap[];
const THEMES = ["light", "dark"] as const satisfies readonly Theme[];
type Missing<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : false;
const _allColormaps: Missing<Colormap, (typeof COLORMAPS)[number]> = true;
const _allThemes: Missing<Theme, (typeof THEMES)[number]> = true;
void _allColormaps;
void _allThemes;

/** CSS gradients approximating each colormap, for the swatch next to the select. */
const SWATCH: Record<Colormap, string> = {
  roseus: "linear-gradient(90deg,#010101,#3a1a6b,#b8327d,#f6885a,#f9f2b6)",
  viridis: "linear-gradient(90deg,#440154,#3b528b,#21918c,#5ec962,#fde725)",
  magma: "linear-gradient(90deg,#000004,#51127c,#b73779,#fc8961,#fcfdbf)",
  inferno: "linear-gradient(90deg,#000004,#56106e,#bb3754,#f98e09,#fcffa4)",
  plasma: "linear-gradient(90deg,#0d0887,#7e03a8,#cc4778,#f89540,#f0f921)",
  cividis: "linear-gradient(90deg,#00224e,#434e6c,#7d7c78,#bcaf6f,#fee838)",
  hot: "linear-gradient(90deg,#0b0000,#a00000,#ff5a00,#ffd200,#ffffff)",
  gray: "linear-gradient(90deg,#000,#fff)",
  classic: "linear-gradient(90deg,#000080,#0000ff,#00ffff,#ffff00,#ff0000)",
};

function Preferences({ profile }: { profile: Profile }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const update = useMutation(
    trpc.profile.updatePreferences.mutationOptions({
      onMutate: (vars) => {
        // Apply the theme at once; the server confirms it.
        if (vars.theme) applyTheme(vars.theme);
      },
      onError: () => applyTheme(profile.theme),
      onSuccess: async (saved) => {
        // The answer is the new profile: no refetch (and no flicker back to the old value).
        queryClient.setQueryData(trpc.profile.get.queryKey(), saved);
        await queryClient.invalidateQueries(trpc.auth.me.queryFilter());
      },
    }),
  );
  // The choice is shown synchronously from local state: the mutation's own pending state arrives a
  // render later, and a controlled radio would snap back to the old value in between.
  const [chosen, setChosen] = useState<Partial<Pick<Profile, "theme" | "spectrogramColormap">>>({});
  const choose = (vars: Partial<Pick<Profile, "theme" | "spectrogramColormap">>) => {
    setChosen((c) => ({ ...c, ...vars }));
    update.mutate(vars, { onSettled: () => setChosen({}) });
  };
  const current = { ...profile, ...chosen };
  return (
    <section className="card" aria-labelledby="prefs-h">
      <h2 id="prefs-h">Appearance</h2>
      <ErrorAlert error={update.error} />
      <div className="grid-2">
        <fieldset className="fieldset" style={{ border: "none", padding: 0 }}>
          <legend>Theme</legend>
          <div className="row">
            {THEMES.map((t) => (
              <label key={t} className="checkbox">
                <input
                  type="radio"
                  name="theme"
                  value={t}
                  checked={current.theme === t}
                  onChange={() => choose({ theme: t })}
                />
                {t === "light" ? "Light" : "Dark"}
              </label>
            ))}
          </div>
        </fieldset>
        <div>
          <SelectField
            label="Spectrogram colormap"
            value={current.spectrogramColormap}
            onChange={(e) => choose({ spectrogramColormap: e.target.value as Colormap })}
          >
            {COLORMAPS.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </SelectField>
          <div
            aria-hidden="true"
            style={{
              height: 12,
              borderRadius: 3,
              marginTop: 6,
              background: SWATCH[current.spectrogramColormap],
            }}
          />
        </div>
      </div>
    </section>
  );
}

function EmailForm({ profile }: { profile: Profile }) {
  const trpc = useTRPC();
  const [email, setEmail] = useState(profile.email);
  const [currentPassword, setCurrentPassword] = useState("");
  const change = useMutation(
    trpc.profile.requestEmailChange.mutationOptions({ onSuccess: () => setCurrentPassword("") }),
  );
  const fe = fieldErrors(change.error);
  return (
    <section className="card" aria-labelledby="email-h">
      <h2 id="email-h">Account</h2>
      <p className="muted small">
        Username <strong>{profile.username}</strong> · member since {formatDate(profile.createdAt)}
        {profile.lastLoginAt ? ` · last login ${formatDate(profile.lastLoginAt)}` : ""}
      </p>
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          change.mutate({ email, ...(profile.hasPassword ? { currentPassword } : {}) });
        }}
      >
        <ErrorAlert error={change.error} />
        {change.isSuccess ? (
          <Alert kind="success">
            We sent a confirmation link to {change.data.sentTo}. Your address changes when you open it; until
            then it stays {profile.email}.
          </Alert>
        ) : null}
        <div className="row" style={{ alignItems: "flex-end" }}>
          <div style={{ flex: 1, minWidth: 240 }}>
            <TextField
              label="Email"
              type="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={fe.email}
              autoComplete="email"
            />
          </div>
          {profile.hasPassword ? (
            <div style={{ flex: 1, minWidth: 200 }}>
              <TextField
                label="Current password"
                type="password"
                autoComplete="current-password"
                value={currentPassword}
                onChange={(e) => setCurrentPassword(e.target.value)}
                error={fe.currentPassword}
              />
            </div>
          ) : null}
          <Button type="submit" busy={change.isPending} disabled={email === profile.email}>
            Change email
          </Button>
        </div>
      </form>
    </section>
  );
}

function PasswordForm({ profile }: { profile: Profile }) {
  const trpc = useTRPC();
  const [currentPassword, setCurrent] = useState("");
  const [newPassword, setNew] = useState("");
  const [keepApiKey, setKeepApiKey] = useState(false);
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: () => {
        setCurrent("");
        setNew("");
      },
    }),
  );
  const fe = fieldErrors(change.error);
  return (
    <section className="card" aria-labelledby="pw-h">
      <h2 id="pw-h">Password</h2>
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          change.mutate({ currentPassword, newPassword, keepApiKey });
        }}
      >
        <ErrorAlert error={change.error} />
        {change.isSuccess ? (
          <Alert kind="success">
            Password changed. Other sessions were signed out
            {keepApiKey ? "." : "; your API key (if you had one) was revoked."}
          </Alert>
        ) : null}
        <div className="grid-2">
          {profile.hasPassword ? (
            <TextField
              label="Current password"
              type="password"
              autoComplete="current-password"
              value={currentPassword}
              onChange={(e) => setCurrent(e.target.value)}
              error={fe.currentPassword}
            />
          ) : (
            <p className="muted small">You have not set a password yet (you log in with codes).</p>
          )}
          <TextField
            label="New password"
            type="password"
            autoComplete="new-password"
            value={newPassword}
            onChange={(e) => setNew(e.target.value)}
            error={fe.newPassword}
            hint="At least 8 characters"
          />
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={keepApiKey} onChange={(e) => setKeepApiKey(e.target.checked)} />{" "}
          Keep my API key (otherwise it is revoked: do this only if you are sure nobody else learnt the old
          password)
        </label>
        <div className="form-actions">
          <Button type="submit" busy={change.isPending}>
            Change password
          </Button>
        </div>
      </form>
    </section>
  );
}

function ApiKey() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const info = useQuery(trpc.profile.apiKey.queryOptions());
  const [shown, setShown] = useState<string | null>(null);
  const invalidate = () => queryClient.invalidateQueries(trpc.profile.apiKey.queryFilter());
  const generate = useMutation(
    trpc.profile.generateApiKey.mutationOptions({
      onSuccess: async (res) => {
        setShown(res.key);
        await invalidate();
      },
    }),
  );
  const revoke = useMutation(
    trpc.profile.revokeApiKey.mutationOptions({
      onSuccess: async () => {
        setShown(null);
        await invalidate();
      },
    }),
  );
  return (
    <section className="card" aria-labelledby="key-h">
      <h2 id="key-h">API key</h2>
      <p className="muted small">
        Scripts and the REST API authenticate with this key. It is stored hashed: we show it once, right after
        you generate it.
      </p>
      {info.isPending ? <Loading /> : null}
      <ErrorAlert error={info.error ?? generate.error ?? revoke.error} />
      {shown ? (
        <div className="stack" style={{ gap: "0.5rem", marginBottom: "0.75rem" }}>
          <Alert kind="warning">Copy this key now — it will not be shown again.</Alert>
          <div className="row">
            <code className="secret" data-testid="api-key">
              {shown}
            </code>
            <CopyButton text={shown} label="Copy key" />
          </div>
        </div>
      ) : null}
      {info.data ? (
        <p className="small">
          Active key <code>{info.data.prefix}…</code> created {formatDate(info.data.createdAt)}
          {info.data.lastUsedAt ? `, last used ${formatDate(info.data.lastUsedAt)}` : ", never used"}.
        </p>
      ) : info.isSuccess ? (
        <p className="small">You have no API key.</p>
      ) : null}
      <div className="form-actions">
        <Button
          variant={info.data ? "default" : "primary"}
          busy={generate.isPending}
          onClick={() => {
            if (!info.data || window.confirm("Regenerate? Scripts using the current key will stop working."))
              generate.mutate();
          }}
        >
          {info.data ? "Regenerate key" : "Generate key"}
        </Button>
        {info.data ? (
          <Button
            busy={revoke.isPending}
            onClick={() => {
              if (window.confirm("Revoke the API key?")) revoke.mutate();
            }}
          >
            Revoke
          </Button>
        ) : null}
      </div>
    </section>
  );
}

export function ProfilePage() {
  const trpc = useTRPC();
  const profile = useQuery(trpc.profile.get.queryOptions());
  return (
    <div className="stack">
      <PageHeader title="Profile" description="Your account, appearance and API access." />
      {profile.isPending ? <Loading what="Loading profile…" /> : null}
      <ErrorAlert error={profile.error} />
      {profile.data ? (
        <>
          <EmailForm profile={profile.data} />
          <Preferences profile={profile.data} />
          <PasswordForm profile={profile.data} />
          <ApiKey />
          <StorageUsage />
        </>
      ) : null}
    </div>
  );
}
