import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { AuthCard } from "../components/AuthCard";
import { Alert, Button, ErrorAlert, Loading, TextField } from "../components/ui";
import { fieldErrors } from "../lib/errors";
import { safeNext } from "../lib/session";
import { useTRPC } from "../lib/trpc";

/** After any successful sign-in: forget the anonymous cache and go where the visitor was heading. */
function useSignedIn() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const trpc = useTRPC();
  return async (to: string) => {
    queryClient.removeQueries();
    await queryClient.fetchQuery(trpc.auth.me.queryOptions());
    navigate(safeNext(to), { replace: true });
  };
}

function withNext(path: string, next: string | null): string {
  return next ? `${path}?next=${encodeURIComponent(next)}` : path;
}

export function LoginPage() {
  const trpc = useTRPC();
  const [params] = useSearchParams();
  const next = params.get("next");
  const signedIn = useSignedIn();
  const [identifier, setIdentifier] = useState("");
  const [password, setPassword] = useState("");
  const login = useMutation(trpc.auth.login.mutationOptions({ onSuccess: () => signedIn(next ?? "/") }));
  const fe = fieldErrors(login.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ identifier, password });
  };
  return (
    <AuthCard
      title="Log in"
      footer={
        <>
          <Link to={withNext("/login/code", next)}>Email me a login code instead</Link>
          <Link to="/forgot-password">Forgot your password?</Link>
          <span>
            New here? <Link to={withNext("/register", next)}>Create an account</Link>
          </span>
        </>
      }
    >
      {params.get("reset") === "1" ? (
        <Alert kind="success">Your password was changed. Log in with it.</Alert>
      ) : null}
      <form className="form" onSubmit={onSubmit} noValidate>
        <ErrorAlert error={login.error} />
        <TextField
          label="Username or email"
          name="identifier"
          autoComplete="username"
          value={identifier}
          onChange={(e) => setIdentifier(e.target.value)}
          error={fe.identifier}
          required
          autoFocus
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fe.password}
          required
        />
        <Button type="submit" variant="primary" className="btn-block" busy={login.isPending}>
          Log in
        </Button>
      </form>
    </AuthCard>
  );
}

export function RegisterPage() {
  const trpc = useTRPC();
  const [params] = useSearchParams();
  const next = params.get("next");
  const invitationToken = params.get("invitation") ?? undefined;
  const signedIn = useSignedIn();
  const invitation = useQuery(
    trpc.groups.previewInvitation.queryOptions(
      { token: invitationToken ?? "" },
      { enabled: !!invitationToken },
    ),
  );
  const [email, setEmail] = useState(params.get("email") ?? "");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [confirmError, setConfirmError] = useState<string>();
  const register = useMutation(
    trpc.auth.register.mutationOptions({
      onSuccess: (res) => {
        if (res.status !== "registered") return; // the page now says to check the inbox
        const joined = invitation.data?.status === "valid" ? invitation.data.groupName : null;
        return signedIn(joined ? `/?joined=${encodeURIComponent(joined)}` : (next ?? "/"));
      },
    }),
  );
  const fe = fieldErrors(register.error);
  const prefilled = useRef(false);
  useEffect(() => {
    // Offer the invited address once; the visitor may register with another.
    if (prefilled.current || !invitation.data?.email) return;
    prefilled.current = true;
    setEmail((current) => current || (invitation.data?.email ?? ""));
  }, [invitation.data]);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (password !== confirm) {
      setConfirmError("The passwords do not match");
      return;
    }
    setConfirmError(undefined);
    const usableInvite = invitation.data?.status === "valid" ? invitationToken : undefined;
    register.mutate({ email, username, password, invitationToken: usableInvite });
  };
  return (
    <AuthCard
      title="Create your account"
      footer={
        <span>
          Already have an account? <Link to={withNext("/login", next)}>Log in</Link>
        </span>
      }
    >
      {invitation.data?.status === "valid" ? (
        <Alert kind="info">
          You will join <strong>{invitation.data.groupName}</strong>
          {invitation.data.invitedBy ? ` (invited by ${invitation.data.invitedBy})` : ""} when your account is
          created.
        </Alert>
      ) : null}
      {invitation.data && invitation.data.status !== "valid" ? (
        <Alert kind="warning">
          This invitation has {invitation.data.status}; you can still create an account.
        </Alert>
      ) : null}
      {register.data?.status === "check-email" ? (
        <Alert kind="success">
          Check your inbox: we sent a link to <strong>{register.data.email}</strong>. Open it to finish
          creating your account (it works for 24 hours).
        </Alert>
      ) : null}
      <form className="form" onSubmit={onSubmit} noValidate hidden={register.data?.status === "check-email"}>
        <ErrorAlert error={register.error} />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={fe.email}
          required
        />
        <TextField
          label="Username"
          name="username"
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          error={fe.username}
          hint="Letters, digits, '.', '_' and '-'"
          required
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fe.password}
          hint="At least 8 characters"
          required
        />
        <TextField
          label="Confirm password"
          name="confirm"
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          error={confirmError}
          required
        />
        <Button type="submit" variant="primary" className="btn-block" busy={register.isPending}>
          Create account
        </Button>
      </form>
    </AuthCard>
  );
}

export function CodeLoginPage() {
  const trpc = useTRPC();
  const [params] = useSearchParams();
  const next = params.get("next");
  const signedIn = useSignedIn();
  const [identifier, setIdentifier] = useState("");
  const [code, setCode] = useState("");
  const request = useMutation(trpc.auth.requestLoginCode.mutationOptions());
  const verify = useMutation(
    trpc.auth.verifyLoginCode.mutationOptions({ onSuccess: () => signedIn(next ?? "/") }),
  );
  const sent = request.isSuccess;
  const reqErrors = fieldErrors(request.error);
  const verErrors = fieldErrors(verify.error);
  return (
    <AuthCard
      title="Log in with a code"
      footer={<Link to={withNext("/login", next)}>Log in with your password</Link>}
    >
      {!sent ? (
        <form
          className="form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            request.mutate({ identifier });
          }}
        >
          <p className="muted small">
            We will email you a short code and a link that logs you in. Both work once, for 24 hours.
          </p>
          <ErrorAlert error={request.error} />
          <TextField
            label="Username or email"
            name="identifier"
            autoComplete="username"
            value={identifier}
            onChange={(e) => setIdentifier(e.target.value)}
            error={reqErrors.identifier}
            required
            autoFocus
          />
          <Button type="submit" variant="primary" className="btn-block" busy={request.isPending}>
            Email me a code
          </Button>
        </form>
      ) : (
        <form
          className="form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            verify.mutate({ identifier, code });
          }}
        >
          <Alert kind="success">
            If an account matches <strong>{identifier}</strong>, a code is on its way. Enter it below or use
            the link in the email.
          </Alert>
          <ErrorAlert error={verify.error} />
          <TextField
            label="Login code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={verErrors.code}
            required
            autoFocus
          />
          <div className="form-actions">
            <Button type="submit" variant="primary" busy={verify.isPending}>
              Log in
            </Button>
            <Button variant="ghost" onClick={() => request.reset()}>
              Use a different account
            </Button>
          </div>
        </form>
      )}
    </AuthCard>
  );
}

/** Target of the emailed magic link: logs in with ?token= and moves on. */
export function MagicLinkPage() {
  const trpc = useTRPC();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const signedIn = useSignedIn();
  const login = useMutation(
    trpc.auth.loginWithMagicLink.mutationOptions({ onSuccess: () => signedIn(params.get("next") ?? "/") }),
  );
  const started = useRef(false);
  useEffect(() => {
    // Tokens are single-use: make sure StrictMode's double effect does not spend it twice.
    if (started.current || !token) return;
    started.current = true;
    login.mutate({ token });
  }, [token, login]);
  return (
    <AuthCard title="Logging you in" footer={<Link to="/login">Back to login</Link>}>
      {!token ? <Alert kind="error">This link has no token. Request a new code.</Alert> : null}
      {login.isPending ? <Loading what="Checking your link…" /> : null}
      <ErrorAlert error={login.error} />
      {login.error ? (
        <p className="small">
          <Link to="/login/code">Request a new login code</Link>
        </p>
      ) : null}
    </AuthCard>
  );
}

export function ForgotPasswordPage() {
  const trpc = useTRPC();
  const [identifier, setIdentifier] = useState("");
  const request = useMutation(trpc.auth.requestPasswordReset.mutationOptions());
  const fe = fieldErrors(request.error);
  return (
    <AuthCard title="Reset your password" footer={<Link to="/login">Back to login</Link>}>
      {request.isSuccess ? (
        <Alert kind="success">
          If an account matches <strong>{identifier}</strong>, we have emailed it a link to set a new
          password. The link works once and expires in 24 hours.
        </Alert>
      ) : (
        <form
          className="form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            request.mutate({ identifier });
          }}
        >
          <ErrorAlert error={request.error} />
          <TextField
            label="Username or email"
            name="identifier"
            autoComplete="username"
            value={identifier}
            onChange={(e) => setIdentifier(e.target.value)}
            error={fe.identifier}
            required
            autoFocus
          />
          <Button type="submit" variant="primary" className="btn-block" busy={request.isPending}>
            Email me a reset link
          </Button>
        </form>
      )}
    </AuthCard>
  );
}

export function ResetPasswordPage() {
  const trpc = useTRPC();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const token = params.get("token") ?? "";
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [confirmError, setConfirmError] = useState<string>();
  const reset = useMutation(
    trpc.auth.resetPassword.mutationOptions({
      onSuccess: () => navigate("/login?reset=1", { replace: true }),
    }),
  );
  const fe = fieldErrors(reset.error);
  // Checked on opening, so a used or expired link says so before a new password is typed.
  const check = useQuery(
    trpc.auth.checkPasswordResetToken.queryOptions({ token }, { enabled: token.length >= 16, retry: false }),
  );
  const title = "Choose a new password";
  const footer = <Link to="/forgot-password">Request another link</Link>;
  if (token && check.isPending && token.length >= 16) {
    return (
      <AuthCard title={title} footer={footer}>
        <Loading what="Checking your link…" />
      </AuthCard>
    );
  }
  if (token && (token.length < 16 || check.data?.valid === false)) {
    return (
      <AuthCard title={title} footer={footer}>
        <Alert kind="error">
          This reset link is invalid, used or expired. <Link to="/forgot-password">Request a new link</Link>.
        </Alert>
      </AuthCard>
    );
  }
  return (
    <AuthCard title={title} footer={footer}>
      {!token ? <Alert kind="error">This link has no token. Request a new one.</Alert> : null}
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (password !== confirm) {
            setConfirmError("The passwords do not match");
            return;
          }
          setConfirmError(undefined);
          reset.mutate({ token, password });
        }}
      >
        <ErrorAlert error={reset.error} />
        <TextField
          label="New password"
          name="password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fe.password ?? fe.token}
          hint="At least 8 characters"
          required
        />
        <TextField
          label="Confirm new password"
          name="confirm"
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          error={confirmError}
          required
        />
        <Button
          type="submit"
          variant="primary"
          className="btn-block"
          busy={reset.isPending}
          disabled={!token}
        >
          Set password
        </Button>
      </form>
    </AuthCard>
  );
}

/** Opened from the link sent to a new email address; works signed in or not. */
export function ConfirmEmailPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const confirm = useMutation(
    trpc.profile.confirmEmailChange.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }),
  );
  const { mutate } = confirm;
  const sent = useRef(false);
  useEffect(() => {
    // once: a second confirmation of the same link would report it as used
    if (token && !sent.current) {
      sent.current = true;
      mutate({ token });
    }
  }, [token, mutate]);
  return (
    <AuthCard title="Confirm your email address" footer={<Link to="/">Continue to BattyCoda</Link>}>
      {!token ? <Alert kind="error">This link has no token.</Alert> : null}
      {confirm.isPending ? <Loading /> : null}
      <ErrorAlert error={confirm.error} />
      {confirm.isSuccess ? <Alert kind="success">Your account now uses {confirm.data.email}.</Alert> : null}
    </AuthCard>
  );
}

/** Opened from the registration email: creates the account and signs in. */
export function ConfirmRegistrationPage() {
  const trpc = useTRPC();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const signedIn = useSignedIn();
  const complete = useMutation(
    trpc.auth.completeRegistration.mutationOptions({ onSuccess: () => signedIn("/") }),
  );
  const { mutate } = complete;
  const sent = useRef(false);
  useEffect(() => {
    // once: the link works a single time
    if (token && !sent.current) {
      sent.current = true;
      mutate({ token });
    }
  }, [token, mutate]);
  return (
    <AuthCard title="Creating your account" footer={<Link to="/register">Register again</Link>}>
      {!token ? <Alert kind="error">This link has no token.</Alert> : null}
      {complete.isPending ? <Loading /> : null}
      <ErrorAlert error={complete.error} />
    </AuthCard>
  );
}
