using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace Nexus.Dashboard.Hosting;

/// <summary>The two small pages that end a sign-in at an identity provider (the host runs the protocol): the same-site
/// hop after success, and the refusal. Both carry the dashboard's security headers and encode what they show.</summary>
public static class ExternalSignIn
{
    /// <summary>Where the login page's "Sign in with …" link goes; the host starts the sign-in there.</summary>
    public const string Path = "/login/oidc";

    /// <summary>A page that moves on to <paramref name="localPath"/> at once (a meta refresh, no script, so the CSP
    /// stands) and links to it. The provider's redirect back was cross-site, so a SameSite=Strict cookie set on it is
    /// not sent on a request it leads to; this page's own navigation is same-site and sends it.</summary>
    public static Task ContinueAsync(HttpContext context, string localPath)
    {
        var url = HtmlEncoder.Default.Encode(localPath);
        return WriteAsync(context, StatusCodes.Status200OK, "Signed in",
            $"""<meta http-equiv="refresh" content="0;url={url}">""",
            $"""<section class="login"><h1>Signed in</h1><p><a id="continue" href="{url}">Continue to the dashboard</a></p></section>""");
    }

    /// <summary>A 401 page saying why the sign-in was refused, with a link back to the login page.</summary>
    public static Task FailAsync(HttpContext context, string message) =>
        WriteAsync(context, StatusCodes.Status401Unauthorized, "Sign-in refused", "",
            $"""<section class="login"><h1>Sign-in refused</h1><p class="error" role="alert">{HtmlEncoder.Default.Encode(message)}</p><p><a href="/login">Back to sign-in</a></p></section>""");

    private static async Task WriteAsync(HttpContext context, int status, string title, string head, string body)
    {
        var response = context.Response;
        response.StatusCode = status;
        SecurityHeaders.Apply(response, isAsset: false);
        response.ContentType = "text/html; charset=utf-8";
        var css = HtmlEncoder.Default.Encode(DashboardAssets.Url("dashboard.css"));
        await response.WriteAsync(
            $"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} · Nexus</title>{head}<link rel="stylesheet" href="{css}"></head><body><main>{body}</main></body></html>""",
            context.RequestAborted);
    }
}
