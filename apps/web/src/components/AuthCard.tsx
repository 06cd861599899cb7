import type { ReactNode } from "react";
import { Link } from "react-router";

export function AuthCard({
  title,
  children,
  footer,
}: {
  title: string;
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <div className="auth-wrap">
      <div className="card auth-card">
        <Link to="/" className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          BattyCoda
        </Link>
        <h1 style={{ textAlign: "center" }}>{title}</h1>
        {children}
        {footer ? <div className="auth-links">{footer}</div> : null}
      </div>
    </div>
  );
}
