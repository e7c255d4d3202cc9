using Microsoft.Playwright;
using Nexus.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Nexus.Dashboard.Tests;

/// <summary>"Sign in with &lt;provider&gt;" against a real OpenID provider (oidc-provider on Node.js, another site than
/// the server), driven in Chromium: the ID token's claims grant what a JWT's grant (role, queues), refusals say why
/// and set no session, the session cookie is HttpOnly and SameSite=Strict, and signing out ends the session.</summary>
public sealed class OidcSignInTests(OidcDashboardFixture fixture) : IClassFixture<OidcDashboardFixture>
{
    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task AnAdmin_SignsIn_LandsOnTheOverview_WithAStrictHttpOnlySession_AndSignsOut()
    {
        var page = await fixture.NewPageOnAsync();
        await page.GotoAsync("/");
        await Expect(page.Locator("#external-sign-in")).ToHaveTextAsync($"Sign in with {OidcDashboardFixture.ProviderName}");
        var signedIn = await fixture.OidcSignedInAsync("ada");

        await Expect(signedIn.Locator("h1")).ToHaveTextAsync("Overview");
        await Expect(signedIn.Locator("header .user")).ToHaveTextAsync("oidc:ada");
        await Expect(signedIn.Locator("header .role")).ToHaveTextAsync("admin");
        Assert.Equal(0, await signedIn.Locator("header .limit").CountAsync());
        var cookies = await signedIn.Context.CookiesAsync();
        var session = Assert.Single(cookies, c => c.Name == "nexus_session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.DoesNotContain("eyJ", session.Value, StringComparison.Ordinal); // encrypted; no token in clear
        // The correlation and nonce cookies were used up by the callback.
        Assert.DoesNotContain(cookies, c => c.Name.StartsWith(".AspNetCore.Correlation", StringComparison.Ordinal) || c.Name.StartsWith(".AspNetCore.OpenIdConnect.Nonce", StringComparison.Ordinal));
        // An admin acts: the keys page is there.
        await Expect(signedIn.Locator("header nav")).ToContainTextAsync("API keys");

        await signedIn.ClickAsync("header form[action='/logout'] button");
        await signedIn.UntilUrlAsync(url => url.Contains("/login", StringComparison.Ordinal));
        Assert.DoesNotContain(await signedIn.Context.CookiesAsync(), c => c.Name == "nexus_session");
        await signedIn.GotoAsync("/tasks");
        Assert.Contains("/login?returnUrl=%2Ftasks", signedIn.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AViewer_SeesTasks_ButCannotAct()
    {
        var id = await fixture.SubmitAsync("test.fail", new { message = "boom" });
        await fixture.WaitForStateAsync(id, "dead");

        var page = await fixture.OidcSignedInAsync("vic", $"/tasks/{id}");
        await Expect(page.Locator("header .role")).ToHaveTextAsync("viewer");
        await Expect(page.Locator("dl.facts .state")).ToHaveTextAsync("dead");
        Assert.Equal(0, await page.Locator(".actions button").CountAsync());
        await page.GotoAsync("/queues");
        Assert.Equal(0, await page.Locator("#queue-list form").CountAsync());
        await Expect(page.Locator("header nav")).Not.ToContainTextAsync("API keys");
    }

    [Fact]
    public async Task AQueueLimitedIdentity_SeesOnlyItsQueue()
    {
        var queue = fixture.LimitedQueue;
        await fixture.PauseAsync(queue);
        var mine = await fixture.SubmitAsync("test.ok", new { echo = "mine" }, queue);
        var theirs = await fixture.SubmitAsync("test.ok", new { echo = "theirs" }, Unique("other-"));

        var page = await fixture.OidcSignedInAsync("quinn", "/tasks");
        await Expect(page.Locator("header .limit")).ToHaveTextAsync($"queues: {queue}");
        await Expect(page.Locator($"#task-list tr[data-task='{mine}']")).ToHaveCountAsync(1);
        Assert.Equal(0, await page.Locator($"tr[data-task='{theirs}']").CountAsync());
        var hidden = await page.GotoAsync($"/tasks/{theirs}");
        Assert.Equal(404, hidden!.Status);
    }

    [Theory]
    [InlineData("nora", "carries no Nexus role in its 'role' claim")]
    [InlineData("sam", "carries no Nexus role in its 'role' claim")]
    [InlineData("eve", "'nexus_queues' claim is present but names no queue")]
    [InlineData("walt", "cannot read tasks, so it cannot use the dashboard")]
    public async Task AnIdentityWithoutAUsableRoleOrWithAnEmptyQueueLimit_IsRefused(string login, string reason)
    {
        var page = await fixture.NewPageOnAsync();
        var callbacks = new System.Collections.Concurrent.ConcurrentQueue<int>();
        page.Response += (_, r) => { if (new Uri(r.Url).AbsolutePath == "/signin-oidc") callbacks.Enqueue(r.Status); };
        await fixture.SignInAtProviderAsync(page, login);

        await Expect(page.Locator("h1")).ToHaveTextAsync("Sign-in refused");
        Assert.Equal([401], callbacks);
        await Expect(page.Locator(".error")).ToContainTextAsync(reason);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "nexus_session");
        await page.GotoAsync("/");
        Assert.Contains("/login", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongClientSecret_IsRefused()
    {
        // The server pushes its authorization request to the provider (PAR) with its client credentials first, so a wrong
        // secret is refused before the browser leaves for the provider.
        var page = await fixture.NewPageOnAsync(fixture.WrongSecret);
        await page.GotoAsync("/login");
        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#external-sign-in"), r => r.Url.Contains("/login/oidc", StringComparison.Ordinal));

        Assert.Equal(401, response.Status);
        await Expect(page.Locator(".error")).ToContainTextAsync("refused this server's client credentials (invalid_client)");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "nexus_session");
    }

    [Fact]
    public async Task AnUnreachableProvider_IsRefusedWithAMessage()
    {
        // A port that was free a moment ago: nothing listens there.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var server = await Nexus.Server.Tests.Infrastructure.ServerHost.StartAsync(Nexus.Server.Tests.Infrastructure.StoreKind.Sqlite, new Dictionary<string, string?>
        {
            ["Nexus:Auth:Oidc:Authority"] = $"http://127.0.0.1:{port}",
            ["Nexus:Auth:Oidc:ClientId"] = OidcProvider.ClientId,
            ["Nexus:Auth:Oidc:ClientSecret"] = OidcProvider.ClientSecret,
        });
        var page = await fixture.NewPageOnAsync(server);
        await page.GotoAsync("/login");
        await Expect(page.Locator("#external-sign-in")).ToHaveTextAsync("Sign in with 127.0.0.1");
        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#external-sign-in"), r => r.Url.Contains("/login/oidc", StringComparison.Ordinal));

        Assert.Equal(401, response.Status);
        await Expect(page.Locator(".error")).ToContainTextAsync("could not start: its configuration could not be read");
    }

    [Theory]
    [InlineData("none")]
    [InlineData("state")]
    [InlineData("another-browser")]
    public async Task ATamperedOrForeignCallback_IsRefused_AnUntouchedOneSignsIn(string kind)
    {
        var page = await fixture.NewPageOnAsync();
        var url = await fixture.CallbackUrlAsync(page, "ada");

        IPage target = page;
        if (kind == "state")
        {
            // The state is the server's own protected blob: change one character of it.
            var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(url).Query);
            var state = query["state"].ToString();
            var flipped = state[..^2] + (state[^2] == 'A' ? 'B' : 'A') + state[^1];
            url = url.Replace("state=" + Uri.EscapeDataString(state), "state=" + Uri.EscapeDataString(flipped), StringComparison.Ordinal);
            Assert.Contains(flipped, Uri.UnescapeDataString(url), StringComparison.Ordinal);
        }
        else if (kind == "another-browser")
        {
            // A valid answer taken to another browser (no correlation cookie there): login CSRF.
            target = await fixture.NewPageOnAsync();
        }
        var response = await target.GotoAsync(url);
        if (kind == "none")
        {
            // The control: the same answer, untouched, in the browser that started the sign-in, signs in (through the hop page).
            Assert.Equal(200, response!.Status);
            await target.UntilUrlAsync(u => new Uri(u).AbsolutePath == "/");
            await Expect(target.Locator("header .user")).ToHaveTextAsync("oidc:ada");
            return;
        }

        Assert.Equal(401, response!.Status);
        await Expect(target.Locator(".error")).ToContainTextAsync("does not belong to a sign-in this browser started");
        Assert.DoesNotContain(await target.Context.CookiesAsync(), c => c.Name == "nexus_session");
    }
}
