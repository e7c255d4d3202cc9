using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Nexus.Server.Auth;

/// <summary>JWT bearer validation from <see cref="JwtOptions"/>: issuer, audience, lifetime and signature are always
/// checked; the token's role claim becomes the caller's Nexus roles and its queues claim their queue limit.</summary>
internal static class JwtBearerSetup
{
    public const string Scheme = "NexusJwt";

    public static byte[] SigningKeyBytes(string key) =>
        key.StartsWith("base64:", StringComparison.Ordinal) ? Convert.FromBase64String(key["base64:".Length..]) : Encoding.UTF8.GetBytes(key);

    public static void Configure(JwtBearerOptions o, JwtOptions jwt)
    {
        o.MapInboundClaims = false;
        o.IncludeErrorDetails = false;
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = jwt.Issuer,
            ValidateAudience = true,
            ValidAudience = jwt.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = TimeSpan.FromSeconds(jwt.ClockSkewSeconds),
            RoleClaimType = jwt.RoleClaim,
            NameClaimType = "sub",
        };
        if (jwt.SigningKey is { } key)
        {
            o.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(SigningKeyBytes(key));
        }
        else if (jwt.JwksUrl is { } jwks)
        {
            o.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                jwks, new JwksRetriever(), new HttpDocumentRetriever { RequireHttps = !Loopback.IsLoopbackUrl(jwks) });
        }
        else if (jwt.Authority is { } authority)
        {
            o.Authority = authority;
            o.RequireHttpsMetadata = !Loopback.IsLoopbackUrl(authority);
        }
        o.Events = new JwtBearerEvents
        {
            // The challenge and its problem+json are written by the Nexus scheme.
            OnChallenge = context =>
            {
                context.HandleResponse();
                return Task.CompletedTask;
            },
            OnTokenValidated = context =>
            {
                var token = context.Principal!;
                var roles = token.FindAll(jwt.RoleClaim).SelectMany(c => Split(c.Value)).Where(NexusRoles.IsValid).Distinct(StringComparer.Ordinal).ToList();
                if (roles.Count == 0)
                {
                    context.Fail(new NexusRoleException($"The JWT carries no Nexus role in its '{jwt.RoleClaim}' claim ({string.Join(", ", NexusRoles.All)})."));
                    return Task.CompletedTask;
                }
                var queues = token.FindAll(jwt.QueuesClaim).SelectMany(c => Split(c.Value)).Distinct(StringComparer.Ordinal).ToList();
                // A queue limit that names no queue must not read as "no limit": fail closed.
                if (queues.Count == 0 && JwtClaims.Has(context.SecurityToken, token, jwt.QueuesClaim))
                {
                    context.Fail(new NexusRoleException($"The JWT's '{jwt.QueuesClaim}' claim is present but names no queue; leave it out for every queue, or name the queues."));
                    return Task.CompletedTask;
                }
                var namespaces = token.FindAll(jwt.NamespacesClaim).SelectMany(c => Split(c.Value)).Distinct(StringComparer.Ordinal).ToList();
                var namespacesClaimed = namespaces.Count > 0 || JwtClaims.Has(context.SecurityToken, token, jwt.NamespacesClaim);
                var limited = queues.Count > 0 || namespacesClaimed;
                var sub = token.FindFirst("sub")?.Value;
                var subject = sub ?? token.FindFirst("name")?.Value ?? "unknown";
                context.Principal = Caller.Principal($"jwt:{subject}", "jwt", roles, queues.Count == 0 ? null : queues, bucket: JwtClaims.Bucket(context.SecurityToken, token, sub),
                    namespaces: limited ? namespaces : null,
                    expiresAt: context.SecurityToken.ValidTo == DateTime.MinValue ? null : new DateTimeOffset(DateTime.SpecifyKind(context.SecurityToken.ValidTo, DateTimeKind.Utc)));
                return Task.CompletedTask;
            },
        };
    }

    private static string[] Split(string value) => value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Reads a bare JSON Web Key Set (not a discovery document) into a configuration holding its signing keys.</summary>
    private sealed class JwksRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
    {
        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            var json = await retriever.GetDocumentAsync(address, cancel);
            var set = new JsonWebKeySet(json);
            var configuration = new OpenIdConnectConfiguration();
            foreach (var key in set.GetSigningKeys()) configuration.SigningKeys.Add(key);
            return configuration;
        }
    }
}
