using Microsoft.AspNetCore.Http;

namespace Nexus.Dashboard.Access;

/// <summary>The host's side of dashboard sign-in: who the request's caller is, and turning an API key into the session
/// cookie and back. The server implements it with the API's own key validation and development-mode rule.</summary>
public interface IDashboardAccess
{
    /// <summary>The authorization policy every dashboard page requires (signed in, with the read right).</summary>
    string Policy { get; }

    /// <summary>The request's caller, or null when nobody is signed in.</summary>
    IDashboardUser? UserOf(HttpContext context);

    /// <summary>True when the login page also takes a JWT (the host validates tokens).</summary>
    bool AcceptsJwt { get; }

    /// <summary>The identity provider's name when the host offers a sign-in there (the login page links to
    /// <see cref="Hosting.ExternalSignIn.Path"/>), else null.</summary>
    string? ExternalProvider { get; }

    /// <summary>Checks <paramref name="apiKey"/> (an API key, or a JWT when <see cref="AcceptsJwt"/>) and, when it is valid and may read, sets the session cookie. Returns
    /// null on success, else why the key is refused (never echoing it).</summary>
    Task<string?> SignInAsync(HttpContext context, string apiKey, CancellationToken cancellationToken);

    /// <summary>Clears the session cookie.</summary>
    void SignOut(HttpContext context);
}
