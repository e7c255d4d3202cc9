using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Nexus.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Nexus.Dashboard.Tests;

/// <summary>A server that accepts JWTs (one issuer, one audience, one signing key), with its dashboard.</summary>
public sealed class JwtDashboardFixture : DashboardFixture
{
    public const string Issuer = "https://issuer.test";
    public const string Audience = "nexus-api";
    public const string SigningKey = "dashboard-jwt-signing-key-0123456789abcdefghijklmnopqrstuvwxyz";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Nexus:Auth:Jwt:Issuer"] = Issuer,
        ["Nexus:Auth:Jwt:Audience"] = Audience,
        ["Nexus:Auth:Jwt:SigningKey"] = SigningKey,
        ["Nexus:Auth:Jwt:ClockSkewSeconds"] = "0",
    };

    /// <summary>A token signed here, as an identity provider would sign it.</summary>
    public static string Token(string? role, string? queues = null, DateTimeOffset? expires = null, string key = SigningKey, string subject = "alice")
    {
        var exp = (expires ?? DateTimeOffset.UtcNow.AddMinutes(10)).UtcDateTime;
        var claims = new Dictionary<string, object> { ["sub"] = subject };
        if (role is not null) claims["role"] = role;
        if (queues is not null) claims["nexus_queues"] = queues;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = exp.AddMinutes(-20),
            NotBefore = exp.AddMinutes(-20),
            Expires = exp,
            Claims = claims,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }
}

/// <summary>Signing in to the dashboard with a pasted JWT: checked by the API's own JWT scheme, its role and queue
/// claims limit the pages as they limit the API, and bad tokens are refused with the API's reason.</summary>
public sealed class JwtSignInTests(JwtDashboardFixture fixture) : IClassFixture<JwtDashboardFixture>
{
    [Fact]
    public async Task AJwt_SignsIn_WithItsRoleAndQueues()
    {
        var queue = "jq-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.PauseAsync(queue);
        var mine = await fixture.SubmitAsync("test.ok", new { echo = "mine" }, queue);
        var theirs = await fixture.SubmitAsync("test.ok", new { echo = "theirs" }, "jt-other");

        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/tasks");
        await Expect(page.Locator("label[for=apiKey]")).ToHaveTextAsync("API key or JWT");
        await page.FillAsync("#apiKey", JwtDashboardFixture.Token("viewer", queue));
        await page.ClickAsync("button[type=submit]");
        try
        {
            await page.UntilUrlAsync(url => url.EndsWith("/tasks", StringComparison.Ordinal));
        }
        catch (TimeoutException ex)
        {
            throw new InvalidOperationException($"The JWT sign-in stayed on {page.Url}; the page says: {await page.InnerTextAsync("body")}", ex);
        }

        await Expect(page.Locator("header .user")).ToHaveTextAsync("jwt:alice");
        await Expect(page.Locator("header .role")).ToHaveTextAsync("viewer");
        await Expect(page.Locator("header .limit")).ToHaveTextAsync($"queues: {queue}");
        await Expect(page.Locator($"#task-list tr[data-task='{mine}']")).ToHaveCountAsync(1);
        Assert.Equal(0, await page.Locator($"tr[data-task='{theirs}']").CountAsync());
        var hidden = await page.GotoAsync($"/tasks/{theirs}");
        Assert.Equal(404, hidden!.Status);

        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "nexus_session");
        Assert.True(cookie.HttpOnly);
        Assert.DoesNotContain("eyJ", cookie.Value, StringComparison.Ordinal); // encrypted, not the token in clear
    }

    [Theory]
    [InlineData("expired", "The JWT expired")]
    [InlineData("key", "signature does not verify")]
    [InlineData("role", "carries no Nexus role")]
    [InlineData("worker", "cannot read tasks")]
    public async Task ABadJwt_IsRefused_WithTheApisReason(string kind, string reason)
    {
        var token = kind switch
        {
            "expired" => JwtDashboardFixture.Token("admin", expires: DateTimeOffset.UtcNow.AddMinutes(-5)),
            "key" => JwtDashboardFixture.Token("admin", key: "another-signing-key-0123456789abcdefghijklmnopqrstuvwxyz"),
            "role" => JwtDashboardFixture.Token(null),
            _ => JwtDashboardFixture.Token("worker"),
        };
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("#apiKey", token);
        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button[type=submit]"), r => r.Request.Method == "POST");

        Assert.Equal(401, response.Status);
        await Expect(page.Locator("section.login .error")).ToContainTextAsync(reason);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "nexus_session");
    }
}
