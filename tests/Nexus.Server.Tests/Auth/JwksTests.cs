using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Auth;

/// <summary>JWTs signed with an RSA key that the server finds in a JSON Web Key Set served over loopback HTTP.</summary>
public sealed class JwksTests : IAsyncLifetime
{
    private const string Issuer = "https://rsa-issuer.test";
    private const string Audience = "nexus-jwks";
    private readonly RSA _issuerKey = RSA.Create(2048);
    private WebApplication _jwks = null!;
    private ServerHost _host = null!;

    public async Task InitializeAsync()
    {
        var p = _issuerKey.ExportParameters(includePrivateParameters: false);
        var set = $$"""{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"k1","n":"{{Base64UrlEncoder.Encode(p.Modulus)}}","e":"{{Base64UrlEncoder.Encode(p.Exponent)}}"}]}""";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _jwks = builder.Build();
        _jwks.MapGet("/jwks.json", () => Results.Text(set, "application/json"));
        await _jwks.StartAsync();
        _host = await ServerHost.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?>
        {
            ["Nexus:Auth:Jwt:Issuer"] = Issuer,
            ["Nexus:Auth:Jwt:Audience"] = Audience,
            ["Nexus:Auth:Jwt:JwksUrl"] = _jwks.Urls.Single() + "/jwks.json",
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _jwks.DisposeAsync();
        _issuerKey.Dispose();
    }

    private static string Token(RSA key) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = Audience,
        Expires = DateTime.UtcNow.AddMinutes(5),
        Claims = new Dictionary<string, object> { ["sub"] = "svc", ["role"] = new[] { "viewer", "worker" } },
        SigningCredentials = new SigningCredentials(new RsaSecurityKey(key) { KeyId = "k1" }, SecurityAlgorithms.RsaSha256),
    });

    [Fact]
    public async Task ATokenSignedByTheKeySetsKey_IsAccepted_WithAllItsRoles()
    {
        using var client = _host.Client(Token(_issuerKey));
        var me = await (await client.GetAsync("/api/v1/whoami")).JsonAsync();
        Assert.Equal("jwt:svc", me.GetProperty("name").GetString());
        Assert.Equal(["viewer", "worker"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task ATokenSignedByAnotherKeyWithTheSameId_IsRefused()
    {
        using var forger = RSA.Create(2048);
        using var client = _host.Client(Token(forger));
        var problem = await (await client.GetAsync("/api/v1/whoami")).ProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        Assert.Contains("signature", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
