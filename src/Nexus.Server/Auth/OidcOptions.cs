namespace Nexus.Server.Auth;

/// <summary>The dashboard's OpenID Connect sign-in (section <c>Nexus:Auth:Oidc</c>): the login page offers "Sign in with
/// <see cref="DisplayName"/>", the browser signs in at the provider (authorization code flow with PKCE, a confidential
/// client), and the ID token's claims become the caller exactly as a JWT's do (<see cref="JwtCallerMapping"/>). Off
/// unless <see cref="Authority"/> is set.</summary>
public sealed class OidcOptions
{
    /// <summary>The provider's issuer URL; its <c>/.well-known/openid-configuration</c> names the endpoints and keys.
    /// Setting it turns OIDC sign-in on. HTTPS unless it is a loopback address.</summary>
    public string? Authority { get; set; }
    /// <summary>This server's client id at the provider (required when on).</summary>
    public string? ClientId { get; set; }
    /// <summary>This server's client secret at the provider (required when on; never shown).</summary>
    public string? ClientSecret { get; set; }
    /// <summary>The scopes asked for, space-separated; must include <c>openid</c>, and whatever scope makes the provider
    /// put the role (and queue and namespace) claims in the ID token. Default <c>openid profile</c>.</summary>
    public string Scopes { get; set; } = "openid profile";
    /// <summary>The provider's name on the login page's button ("Sign in with …"). Default the authority's host.</summary>
    public string? DisplayName { get; set; }
    /// <summary>The ID token's claim holding the Nexus role(s). Default <c>role</c>.</summary>
    public string RoleClaim { get; set; } = "role";
    /// <summary>The ID token's claim listing the queues the user is limited to (absent: every queue; present and empty:
    /// refused). Default <c>nexus_queues</c>.</summary>
    public string QueuesClaim { get; set; } = "nexus_queues";
    /// <summary>The ID token's claim listing the event namespaces the user may use. Default <c>nexus_namespaces</c>.</summary>
    public string NamespacesClaim { get; set; } = "nexus_namespaces";

    /// <summary>True when the dashboard offers OIDC sign-in.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    /// <summary>The button's provider name.</summary>
    public string ProviderName => string.IsNullOrWhiteSpace(DisplayName) ? new Uri(Authority!).Host : DisplayName;

    /// <summary>The scopes, one per entry.</summary>
    public IReadOnlyList<string> ScopeList => Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The claims the ID token's Nexus role, queues and namespaces are read from.</summary>
    internal CallerClaimNames ClaimNames => new(RoleClaim, QueuesClaim, NamespacesClaim);

    internal void Validate()
    {
        const string s = NexusAuthOptions.Section + ":Oidc";
        if (!Enabled)
        {
            if (!string.IsNullOrWhiteSpace(ClientId) || !string.IsNullOrWhiteSpace(ClientSecret))
            {
                throw new InvalidOperationException($"{s}:Authority is required when other OIDC settings are given.");
            }
            return;
        }
        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
        {
            throw new InvalidOperationException($"{s}:Authority must be an absolute http(s) URL.");
        }
        if (authority.Scheme == "http" && !Loopback.IsLoopbackUrl(Authority!)) throw new InvalidOperationException($"{s}:Authority must use https (http only on a loopback address).");
        if (string.IsNullOrWhiteSpace(ClientId)) throw new InvalidOperationException($"{s}:ClientId is required when OIDC sign-in is on.");
        if (string.IsNullOrWhiteSpace(ClientSecret)) throw new InvalidOperationException($"{s}:ClientSecret is required when OIDC sign-in is on; the value is not shown.");
        if (!ScopeList.Contains("openid", StringComparer.Ordinal)) throw new InvalidOperationException($"{s}:Scopes must include openid (was '{Scopes}').");
        if (string.IsNullOrWhiteSpace(RoleClaim)) throw new InvalidOperationException($"{s}:RoleClaim must not be empty.");
        if (string.IsNullOrWhiteSpace(QueuesClaim)) throw new InvalidOperationException($"{s}:QueuesClaim must not be empty.");
        if (string.IsNullOrWhiteSpace(NamespacesClaim)) throw new InvalidOperationException($"{s}:NamespacesClaim must not be empty.");
    }
}
