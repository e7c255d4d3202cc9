using Microsoft.Playwright;
using Nexus.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Nexus.Dashboard.Tests;

/// <summary>The submit page in a real browser: a form generated from the plugin's args schema, the form's own checks and
/// the schema's (named like the API's), the task then running live, and who may use it.</summary>
public sealed class SubmitPageTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task TheGeneratedForm_SubmitsTypedArgs_AndTheTaskSucceedsLive()
    {
        var page = await fixture.SignedInAsync();
        await page.ClickAsync("nav a[href='/submit']");
        await page.ClickAsync("a[href='/submit?plugin=text.generate']");

        // One field per property of the schema, with its default and description.
        await Expect(page.Locator("input[name='arg.filename']")).ToHaveCountAsync(1);
        await Expect(page.Locator("input[name='arg.words']")).ToHaveValueAsync("200");
        await Expect(page.Locator("form.submit-form")).ToContainTextAsync("How many words to write.");

        await page.FillAsync("input[name='arg.filename']", "dashboard/submitted.txt");
        await page.FillAsync("input[name='arg.words']", "12");
        await page.ClickAsync("form.submit-form button[type=submit]");

        await page.UntilUrlAsync(url => System.Text.RegularExpressions.Regex.IsMatch(url, @"/tasks/\d+$"));
        var id = long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("succeeded", await fixture.WaitForStateAsync(id, "succeeded"));
        await Expect(page.Locator("#task-detail")).ToContainTextAsync("succeeded");
        await Expect(page.Locator("#task-detail pre.json").First).ToContainTextAsync("\"words\": 12");
    }

    [Fact]
    public async Task BadValues_Are400_NamingTheField_AndKeepWhatWasTyped()
    {
        var page = await fixture.SignedInAsync();
        await page.GotoAsync("/submit?plugin=text.generate");

        await page.FillAsync("input[name='arg.filename']", "dashboard/bad.txt");
        await page.FillAsync("input[name='arg.words']", "many");
        var notNumber = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("form.submit-form button[type=submit]"), r => r.Request.Method == "POST");
        Assert.Equal(400, notNumber.Status);
        await Expect(page.Locator("ul.error")).ToContainTextAsync("args.words: must be a whole number");
        await Expect(page.Locator("input[name='arg.filename']")).ToHaveValueAsync("dashboard/bad.txt");

        // The schema's own rule, checked by the submit as for the API.
        await page.FillAsync("input[name='arg.words']", "0");
        var outOfRange = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("form.submit-form button[type=submit]"), r => r.Request.Method == "POST");
        Assert.Equal(400, outOfRange.Status);
        await Expect(page.Locator("ul.error")).ToContainTextAsync("args.words");
        Assert.Contains("/submit", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AViewerMayNotSubmit_AndAQueueLimitedCallerOnlyToItsQueues()
    {
        var viewer = await fixture.SignedInAsync(await fixture.CreateKeyAsync("viewer"));
        await Expect(viewer.Locator("nav a[href='/submit']")).ToHaveCountAsync(0);
        var refused = await viewer.GotoAsync("/submit?plugin=text.generate");
        Assert.Equal(403, refused!.Status);
        await Expect(viewer.Locator("form.submit-form")).ToHaveCountAsync(0);

        var limited = await fixture.SignedInAsync(await fixture.CreateKeyAsync("operator", "mine"));
        await limited.GotoAsync("/submit?plugin=text.generate");
        await limited.FillAsync("input[name='arg.filename']", "dashboard/limited.txt");
        await limited.FillAsync("input[name=queue]", "theirs");
        var other = await limited.RunAndWaitForResponseAsync(() => limited.ClickAsync("form.submit-form button[type=submit]"), r => r.Request.Method == "POST");
        Assert.Equal(400, other.Status);
        await Expect(limited.Locator("ul.error")).ToContainTextAsync("queue: you may not submit to queue 'theirs'");
    }
}
