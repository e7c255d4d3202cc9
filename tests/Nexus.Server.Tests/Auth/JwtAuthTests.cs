using System.Net;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Testing;

namespace Nexus.Server.Tests.Auth;

/// <summary>A server that accepts JWTs from one issuer for one audience, signed with one key.</summary>
public abstract class JwtServer(StoreKind store) : IAsyncLifetime
{
    public const string Issuer = "https://issuer.test";
    public const string Audience = "nexus-api";
    public const string SigningKey = "jwt-test-signing-key-0123456789abcdefghijklmnopqrstuvwxyz";

    public ServerHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await ServerHost.StartAsync(store, new Dictionary<string, string?>
    {
        ["Nexus:Auth:Jwt:Issuer"] = Issuer,
        ["Nexus:Auth:Jwt:Audience"] = Audience,
        ["Nexus:Auth:Jwt:SigningKey"] = SigningKey,
        ["Nexus:Auth:Jwt:ClockSkewSeconds"] = "0",
    });

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

public sealed class SqliteJwtServer() : JwtServer(StoreKind.Sqlite);

public sealed class PostgresJwtServer() : JwtServer(StoreKind.Postgres);

/// <summary>JWT bearer: roles and queues from claims; expired, wrong audience, wrong issuer, wrong key and role-less tokens refused.</summary>
public abstract class JwtAuthTests(JwtServer server)
{
    private ServerHost Host => server.Host;

    internal static string Token(string? role = "viewer", string issuer = JwtServer.Issuer, string audience = JwtServer.Audience,
        DateTime? expires = null, string key = JwtServer.SigningKey, object? queues = null, string? subject = "alice")
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>();
        if (subject is not null) claims["sub"] = subject;
        if (role is not null) claims["role"] = role;
        if (queues is not null) claims["nexus_queues"] = queues;
        var exp = expires ?? now.AddMinutes(10);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = exp.AddMinutes(-20),
            NotBefore = exp.AddMinutes(-20),
            Expires = exp,
            Claims = claims,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }

    [Fact]
    public async Task AValidToken_ActsWithItsRole()
    {
        using var client = Host.Client(Token("viewer"));
        var me = await (await client.GetAsync("/api/v1/whoami")).JsonAsync();
        Assert.Equal("jwt:alice", me.GetProperty("name").GetString());
        Assert.Equal("jwt", me.GetProperty("method").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/tasks")).StatusCode);
        await (await client.PostJsonAsync("/api/v1/tasks", """{"plugin":"text.generate","args":{"filename":"j.txt"}}""")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task AnOperatorToken_WithQueues_IsLimitedToThem()
    {
        using var client = Host.Client(Token("operator", queues: "jq1 jq2"));
        var me = await (await client.GetAsync("/api/v1/whoami")).JsonAsync();
        Assert.Equal(["jq1", "jq2"], me.GetProperty("queues").EnumerateArray().Select(q => q.GetString()));
        var id = await client.SubmitAsync("""{"plugin":"text.generate","args":{"filename":"j.txt"},"queue":"jq2","delay":"1h"}""");
        Assert.True(id > 0);
        await (await client.PostJsonAsync("/api/v1/tasks", """{"plugin":"text.generate","args":{"filename":"j.txt"},"queue":"jq3"}""")).ProblemAsync(HttpStatusCode.Forbidden, "queue-forbidden", "queue");
    }

    [Theory]
    [InlineData("")]
    [InlineData(" , ")]
    [InlineData("[]")]
    public async Task AnEmptyQueuesClaim_IsRefused_NotUnlimited(string queues)
    {
        object claim = queues == "[]" ? Array.Empty<string>() : queues;
        using var client = Host.Client(Token("admin", queues: claim));
        var problem = await (await client.GetAsync("/api/v1/tasks")).ProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        Assert.Contains("nexus_queues", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AQueueLimitedAdminToken_CannotMakeAnUnlimitedKey()
    {
        using var client = Host.Client(Token("admin", queues: "jt1"));
        await (await client.PostJsonAsync("/api/v1/keys", """{"name":"escalate","role":"admin"}""")).ProblemAsync(HttpStatusCode.Forbidden, "queue-forbidden", "queues");
        var created = await (await client.PostJsonAsync("/api/v1/keys", """{"name":"ok","role":"viewer","queues":["jt1"]}""")).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("jt1", created.GetProperty("info").GetProperty("queues")[0].GetString());
    }

    [Fact]
    public async Task AKeyMadeWithAToken_ExpiresNoLaterThanTheToken()
    {
        var exp = DateTime.UtcNow.AddMinutes(15); // the helper sets nbf 20 minutes before exp
        using var client = Host.Client(Token("admin", expires: exp));
        var created = await (await client.PostJsonAsync("/api/v1/keys", """{"name":"from-jwt","role":"viewer"}""")).JsonAsync(HttpStatusCode.Created);
        var expiresAt = created.GetProperty("info").GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange((new DateTimeOffset(exp) - expiresAt).Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(1)); // exp has whole seconds
        await (await client.PostJsonAsync("/api/v1/keys", $$"""{"name":"later","role":"viewer","expiresAt":"{{exp.AddDays(1):O}}"}"""))
            .ProblemAsync(HttpStatusCode.Forbidden, "key-outlives-maker", "expiresAt");
    }

    [Theory]
    [InlineData("expired", "expired")]
    [InlineData("audience", "audience")]
    [InlineData("issuer", "issuer")]
    [InlineData("key", "signature")]
    [InlineData("role", "role")]
    [InlineData("unknown-role", "role")]
    public async Task ABadToken_Is401_SayingWhy(string fault, string reason)
    {
        var token = fault switch
        {
            "expired" => Token(expires: DateTime.UtcNow.AddMinutes(-5)),
            "audience" => Token(audience: "someone-else"),
            "issuer" => Token(issuer: "https://other.test"),
            "key" => Token(key: "another-signing-key-0123456789abcdefghijklmnopqrstuv"),
            "role" => Token(role: null),
            _ => Token(role: "superuser"),
        };
        using var client = Host.Client(token);
        var response = await client.GetAsync("/api/v1/tasks");
        var problem = await response.ProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiKeys_StillWorkBesideJwt()
    {
        using var client = Host.Admin();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/keys")).StatusCode);
        var info = await (await client.GetAsync("/api/v1/server")).JsonAsync();
        Assert.True(info.GetProperty("auth").GetProperty("jwt").GetBoolean());
    }
}

public sealed class SqliteJwtAuthTests(SqliteJwtServer server) : JwtAuthTests(server), IClassFixture<SqliteJwtServer>;

public sealed class PostgresJwtAuthTests(PostgresJwtServer server) : JwtAuthTests(server), IClassFixture<PostgresJwtServer>;

/// <summary>A JWT server without credentials configured for the JWT path: tokens are refused with a clear reason.</summary>
public sealed class JwtOffTests(SqliteServer server) : IClassFixture<SqliteServer>
{
    [Fact]
    public async Task AJwt_IsRefused_WhenJwtIsNotConfigured()
    {
        using var client = server.Host.Client("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
        var problem = await (await client.GetAsync("/api/v1/whoami")).ProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        Assert.Contains("not accepted", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}

/// <summary>A JWT server with a tiny rate limit (one request, one more per second).</summary>
public sealed class RateLimitedJwtServer : IAsyncLifetime
{
    public ServerHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await ServerHost.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?>
    {
        ["Nexus:Auth:Jwt:Issuer"] = JwtServer.Issuer,
        ["Nexus:Auth:Jwt:Audience"] = JwtServer.Audience,
        ["Nexus:Auth:Jwt:SigningKey"] = JwtServer.SigningKey,
        ["Nexus:RateLimit:PermitsPerSecond"] = "1",
        ["Nexus:RateLimit:Burst"] = "1",
    });

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>Tokens without a subject do not share one rate-limit bucket (issue 15, defect 9).</summary>
public sealed class JwtRateLimitTests(RateLimitedJwtServer server) : IClassFixture<RateLimitedJwtServer>
{
    [Fact]
    public async Task TokensWithoutASubject_HaveTheirOwnBuckets()
    {
        // Two different tokens (their expiry differs) that carry neither sub nor name nor jti.
        using var first = server.Host.Client(JwtAuthTests.Token(subject: null, expires: DateTime.UtcNow.AddMinutes(10)));
        using var second = server.Host.Client(JwtAuthTests.Token(subject: null, expires: DateTime.UtcNow.AddMinutes(11)));
        await Eventually.UntilAsync(
            async () => (await first.GetAsync("/api/v1/whoami")).StatusCode,
            status => status == HttpStatusCode.TooManyRequests,
            Http.Deadline,
            step: TimeSpan.Zero, // as fast as requests go: the bucket must run dry
            because: "the first token to be rate limited");
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/api/v1/whoami")).StatusCode);
    }
}
