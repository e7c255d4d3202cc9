using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Nexus.Server.Auth;

/// <summary>JWT bearer validation from <see cref="JwtOptions"/>: issuer, audience, lifetime and signature are always
/// checked; the token's role claim becomes the caller's Nexus roles and its queues claim their queue limit
/// (<see cref="JwtCallerMapping"/>, shared with the dashboard's OpenID Connect sign-in).</summary>
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
                var token = context.SecurityToken;
                var expires = token.ValidTo == DateTime.MinValue ? (DateTimeOffset?)null : new DateTimeOffset(DateTime.SpecifyKind(token.ValidTo, DateTimeKind.Utc));
                var (principal, failure) = JwtCallerMapping.Map(context.Principal!, token, jwt.ClaimNames, "jwt", "The JWT", expires);
                if (principal is null) context.Fail(new NexusRoleException(failure!));
                else context.Principal = principal;
                return Task.CompletedTask;
            },
        };
    }

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
