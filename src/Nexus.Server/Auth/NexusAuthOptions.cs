namespace Nexus.Server.Auth;

/// <summary>Who may call the API (section <c>Nexus:Auth</c>). Deny by default: a request needs an API key, a JWT, or
/// (only when <see cref="AnonymousLoopback"/> is on) to come from this machine.</summary>
public sealed class NexusAuthOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Nexus:Auth";

    /// <summary>Development mode: requests without credentials from this machine (loopback, no proxy headers, no
    /// foreign browser origin) act as <c>admin</c>. Everything else still needs credentials. The server refuses to
    /// start with it on while listening on a non-loopback address. Default false; <c>--dev</c> turns it on.</summary>
    public bool AnonymousLoopback { get; set; }

    /// <summary>An admin key from configuration (e.g. <c>NEXUS_AUTH__BOOTSTRAPKEY</c>) to create the first stored keys
    /// with. At least 32 characters, no spaces or dots. Default none.</summary>
    public string? BootstrapKey { get; set; }

    /// <summary>How long a checked API key is remembered by this node; a key revoked on another node stops working
    /// here within this time (at once on the node that revoked it). Default 10 seconds.</summary>
    public int KeyCacheSeconds { get; set; } = 10;

    /// <summary>JWT bearer settings; JWTs are refused unless <see cref="JwtOptions.Issuer"/> is set.</summary>
    public JwtOptions Jwt { get; set; } = new();

    /// <summary>The dashboard's OpenID Connect sign-in; off unless <see cref="OidcOptions.Authority"/> is set.</summary>
    public OidcOptions Oidc { get; set; } = new();

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the setting that is wrong.</summary>
    public void Validate()
    {
        if (BootstrapKey is { } key && (key.Length < 32 || key.Any(c => char.IsWhiteSpace(c) || c == '.')))
        {
            throw new InvalidOperationException($"{Section}:BootstrapKey must be at least 32 characters without spaces or dots (use e.g. `openssl rand -base64 32`); the value is not shown.");
        }
        if (KeyCacheSeconds is < 0 or > 3600) throw new InvalidOperationException($"{Section}:KeyCacheSeconds must be between 0 and 3600 (was {KeyCacheSeconds}).");
        Jwt.Validate();
        Oidc.Validate();
    }
}

/// <summary>JWT bearer validation (section <c>Nexus:Auth:Jwt</c>). Set <see cref="Issuer"/>, <see cref="Audience"/> and
/// exactly one key source: <see cref="SigningKey"/>, <see cref="JwksUrl"/> or <see cref="Authority"/>.</summary>
public sealed class JwtOptions
{
    /// <summary>The accepted <c>iss</c>. Setting it turns JWT bearer on.</summary>
    public string? Issuer { get; set; }
    /// <summary>The accepted <c>aud</c> (required when JWT is on).</summary>
    public string? Audience { get; set; }
    /// <summary>A symmetric HS256 key: at least 32 bytes of text, or <c>base64:</c> and the key in base64.</summary>
    public string? SigningKey { get; set; }
    /// <summary>A URL of a JSON Web Key Set with the issuer's public keys (fetched and refreshed).</summary>
    public string? JwksUrl { get; set; }
    /// <summary>An OpenID Connect authority whose discovery document names the keys.</summary>
    public string? Authority { get; set; }
    /// <summary>The claim holding the Nexus role(s): <c>admin</c>, <c>operator</c>, <c>viewer</c>, <c>worker</c>. Default <c>role</c>.</summary>
    public string RoleClaim { get; set; } = "role";
    /// <summary>The claim listing the queues the caller is limited to (absent: every queue). Default <c>nexus_queues</c>.</summary>
    public string QueuesClaim { get; set; } = "nexus_queues";
    /// <summary>The claim listing the event namespaces the caller may use. A token with no limit (neither claim) reaches
    /// every namespace; a token limited to queues reaches only the namespaces this claim names. Default <c>nexus_namespaces</c>.</summary>
    public string NamespacesClaim { get; set; } = "nexus_namespaces";
    /// <summary>Allowed clock difference when checking expiry. Default 30 seconds.</summary>
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>True when JWTs are accepted.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Issuer);

    /// <summary>The claims a token's Nexus role, queues and namespaces are read from.</summary>
    internal CallerClaimNames ClaimNames => new(RoleClaim, QueuesClaim, NamespacesClaim);

    internal void Validate()
    {
        const string s = NexusAuthOptions.Section + ":Jwt";
        var sources = new[] { SigningKey, JwksUrl, Authority }.Count(v => !string.IsNullOrWhiteSpace(v));
        if (!Enabled)
        {
            if (sources > 0 || !string.IsNullOrWhiteSpace(Audience)) throw new InvalidOperationException($"{s}:Issuer is required when other JWT settings are given.");
            return;
        }
        if (string.IsNullOrWhiteSpace(Audience)) throw new InvalidOperationException($"{s}:Audience is required when JWT bearer is on.");
        if (sources != 1) throw new InvalidOperationException($"{s}: give exactly one of SigningKey, JwksUrl or Authority (found {sources}).");
        if (SigningKey is not null && JwtBearerSetup.SigningKeyBytes(SigningKey).Length < 32) throw new InvalidOperationException($"{s}:SigningKey must be at least 32 bytes; the value is not shown.");
        if (JwksUrl is not null && !Uri.TryCreate(JwksUrl, UriKind.Absolute, out _)) throw new InvalidOperationException($"{s}:JwksUrl must be an absolute URL.");
        if (Authority is not null && !Uri.TryCreate(Authority, UriKind.Absolute, out _)) throw new InvalidOperationException($"{s}:Authority must be an absolute URL.");
        if (string.IsNullOrWhiteSpace(RoleClaim)) throw new InvalidOperationException($"{s}:RoleClaim must not be empty.");
        if (ClockSkewSeconds is < 0 or > 600) throw new InvalidOperationException($"{s}:ClockSkewSeconds must be between 0 and 600.");
    }
}
