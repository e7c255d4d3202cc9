using Microsoft.Playwright;
using Nexus.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Nexus.Dashboard.Tests;

/// <summary>Signing in with an API key: the cookie, refusals, the security headers, and development mode.</summary>
public sealed class SignInTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task AnonymousVisitor_IsSentToTheLoginPage_AndComesBackAfterSigningIn()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/queues");
        Assert.Contains("/login?returnUrl=%2Fqueues", page.Url, StringComparison.Ordinal);

        await page.FillAsync("#apiKey", Nexus.Server.Tests.Infrastructure.ServerHost.BootstrapKey);
        await page.ClickAsync("button[type=submit]");

        await page.UntilUrlAsync(url => url.EndsWith("/queues", StringComparison.Ordinal));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Queues");
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "nexus_session");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.DoesNotContain(Nexus.Server.Tests.Infrastructure.ServerHost.BootstrapKey, cookie.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongKey_IsRefusedWithAMessage_AndNoCookie()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("#apiKey", "nx_0123456789abcdef_notakey");
        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button[type=submit]"), r => r.Request.Method == "POST");

        Assert.Equal(401, response.Status);
        await Expect(page.Locator(".error")).ToContainTextAsync("not valid");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "nexus_session");
        await page.GotoAsync("/");
        Assert.Contains("/login", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerKey_CannotSignIn()
    {
        var key = await fixture.CreateKeyAsync("worker");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("#apiKey", key);
        await page.ClickAsync("button[type=submit]");

        await Expect(page.Locator(".error")).ToContainTextAsync("cannot use the dashboard");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "nexus_session");
    }

    [Fact]
    public async Task RevokedKey_EndsTheSession()
    {
        var key = await fixture.CreateKeyAsync("viewer");
        var page = await fixture.SignedInAsync(key);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Overview");

        var id = key.Split('_')[1];
        (await fixture.Admin.DeleteAsync($"/api/v1/keys/{id}")).EnsureSuccessStatusCode();

        await Nexus.Testing.Eventually.UntilAsync(async () =>
        {
            await page.GotoAsync("/tasks");
            return page.Url.Contains("/login", StringComparison.Ordinal);
        }, because: "the revoked key's session to end (the key cache lasts a few seconds)", step: TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public async Task EveryPage_CarriesTheContentSecurityPolicy_AndNoCdn()
    {
        var page = await fixture.SignedInAsync();
        var violations = new List<string>();
        page.Console += (_, message) => { if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal)) violations.Add(message.Text); };
        foreach (var path in new[] { "/", "/tasks", "/dead-letters", "/queues", "/nodes", "/plugins", "/login" })
        {
            var response = await page.GotoAsync(path);
            Assert.NotNull(response);
            var csp = await response!.HeaderValueAsync("content-security-policy");
            Assert.NotNull(csp);
            Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.Equal("nosniff", await response.HeaderValueAsync("x-content-type-options"));
            // Every script, stylesheet and image comes from this server (no CDN: the dashboard works offline).
            var foreign = await page.EvaluateAsync<string[]>(
                "Array.from(document.querySelectorAll('script[src],link[href],img[src]')).map(e => e.src || e.href).filter(u => !u.startsWith(location.origin + '/'))");
            Assert.Empty(foreign);
        }
        // The stylesheet loaded from the server itself (a CSP violation or a missing file would leave it unstyled).
        var background = await page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor");
        Assert.Equal("rgb(246, 247, 249)", background);
        Assert.Empty(violations);
    }
}

/// <summary>Development mode: the API's loopback rule, for the dashboard too.</summary>
public sealed class DevelopmentModeTests(DevelopmentDashboardFixture fixture) : IClassFixture<DevelopmentDashboardFixture>
{
    [Fact]
    public async Task LoopbackBrowser_IsServedAsAdminWithoutSigningIn_AndWarned()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/");

        await Expect(page.Locator("h1")).ToHaveTextAsync("Overview");
        await Expect(page.Locator(".banner.warn")).ToContainTextAsync("Development mode");
        await Expect(page.Locator("header .user")).ToHaveTextAsync("anonymous@loopback");
    }

    [Fact]
    public async Task RelayedRequest_IsNotServedAnonymously()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.Server.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/tasks");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        var response = await client.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }
}
