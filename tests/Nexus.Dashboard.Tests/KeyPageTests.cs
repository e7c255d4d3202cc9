using System.Net.Http.Json;
using System.Text.Json;
using Nexus.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Nexus.Dashboard.Tests;

/// <summary>The API keys page: admins create (the secret shown once), use and revoke keys; others cannot reach it; a
/// queue-limited admin cannot grant more than it holds.</summary>
public sealed class KeyPageTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Admin_CreatesAKeyThatSignsIn_ThenRevokesIt()
    {
        var queue = "keys-" + Guid.NewGuid().ToString("N")[..6];
        var admin = await fixture.SignedInAsync();
        await admin.GotoAsync("/keys");
        await admin.FillAsync("input[name=name]", "<i>reader</i>");
        await admin.SelectOptionAsync("select[name=role]", "viewer");
        await admin.FillAsync("input[name=queues]", queue);
        await admin.ClickAsync("text=Create key");

        var secret = (await admin.Locator("#new-key").TextContentAsync())!.Trim();
        Assert.StartsWith("nx_", secret, StringComparison.Ordinal);
        var id = secret.Split('_')[1];
        var row = admin.Locator($"tr[data-key='{id}']");
        await Expect(row).ToContainTextAsync("<i>reader</i>");
        await Expect(row).ToContainTextAsync(queue);

        var viewer = await fixture.SignedInAsync(secret);
        await Expect(viewer.Locator("header .limit")).ToContainTextAsync(queue);

        await row.Locator("button", new() { HasTextString = "Revoke" }).ClickAsync();
        await Expect(admin.Locator(".notice")).ToHaveTextAsync("Revoked.");
        await Expect(admin.Locator($"tr[data-key='{id}']")).ToContainTextAsync("revoked");
        var api = fixture.Server.Client(secret);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/tasks?queue=" + queue)).StatusCode);
    }

    [Fact]
    public async Task Operator_CannotOpenTheKeysPage()
    {
        var page = await fixture.SignedInAsync(await fixture.CreateKeyAsync("operator"));
        var response = await page.GotoAsync("/keys");

        Assert.Equal(403, response!.Status);
        Assert.Equal(0, await page.Locator("form:has(input[name=name])").CountAsync());
    }

    [Fact]
    public async Task QueueLimitedAdmin_CannotCreateAKeyForEveryQueue()
    {
        var page = await fixture.SignedInAsync(await fixture.CreateKeyAsync("admin", "only-here"));
        await page.GotoAsync("/keys");
        await page.FillAsync("input[name=name]", "wide");
        await page.ClickAsync("text=Create key");

        await Expect(page.Locator(".error")).ToContainTextAsync("queues:");
        Assert.Equal(0, await page.Locator("#new-key").CountAsync());
    }

    [Fact]
    public async Task NamespaceLimitedAdmin_GrantsOnlyItsNamespaces_AndTheKeySeesOnlyThose()
    {
        var mine = "kns-" + Guid.NewGuid().ToString("N")[..6];
        var other = "kns-" + Guid.NewGuid().ToString("N")[..6];
        foreach (var ns in new[] { mine, other }) (await fixture.Admin.PostAsJsonAsync("/api/v1/namespaces", new { name = ns })).EnsureSuccessStatusCode();
        var made = await fixture.Admin.PostAsJsonAsync("/api/v1/keys", new { name = "ns-admin", role = "admin", queues = Array.Empty<string>(), namespaces = new[] { mine } });
        made.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await made.Content.ReadAsStringAsync());
        var page = await fixture.SignedInAsync(doc.RootElement.GetProperty("key").GetString());

        await page.GotoAsync("/keys");
        await page.FillAsync("input[name=name]", "too-wide");
        await page.FillAsync("input[name=namespaces]", other);
        await page.ClickAsync("text=Create key");
        await Expect(page.Locator(".error")).ToContainTextAsync("namespaces[0]");
        Assert.Equal(0, await page.Locator("#new-key").CountAsync());

        await page.GotoAsync("/keys");
        await page.FillAsync("input[name=name]", "reader");
        await page.SelectOptionAsync("select[name=role]", "viewer");
        await page.FillAsync("input[name=namespaces]", mine);
        await page.ClickAsync("text=Create key");
        var secret = (await page.Locator("#new-key").TextContentAsync())!.Trim();
        await Expect(page.Locator($"tr[data-key='{secret.Split('_')[1]}'] td.limits-cell")).ToHaveTextAsync($"queues: none; namespaces: {mine}");

        var reader = await fixture.SignedInAsync(secret);
        await reader.GotoAsync("/events");
        await Expect(reader.Locator("ul.namespace-list")).ToHaveTextAsync(mine);
        var refused = await reader.GotoAsync($"/events?ns={other}");
        Assert.Equal(404, refused!.Status);
    }
}
