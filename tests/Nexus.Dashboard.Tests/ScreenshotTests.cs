using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Nexus.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Nexus.Dashboard.Tests;

/// <summary>Renders the workflow, events, state, schedule and nodes-and-services pages with realistic data and takes their screenshots:
/// each page must show its data and make a PNG. With <c>NEXUS_SCREENSHOTS</c> set to a folder (docs/screenshots), the
/// images are written there; otherwise to a temporary folder that is removed.</summary>
public sealed class ScreenshotTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private async Task<string> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        var response = await fixture.Admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text;
    }

    [Fact]
    public async Task NewPages_RenderTheirData_AndMakeScreenshots()
    {
        var target = Environment.GetEnvironmentVariable("NEXUS_SCREENSHOTS");
        var folder = string.IsNullOrEmpty(target) ? Directory.CreateTempSubdirectory("nexus-shots-").FullName : Path.GetFullPath(target);
        try
        {
            var suffix = Guid.NewGuid().ToString("N")[..6];
            var workflow = $"order-fulfilment-{suffix}";
            await SendAsync(HttpMethod.Post, "/api/v1/workflows", new
            {
                name = workflow,
                description = "Reserve stock, wait for payment, pack every item, then ship.",
                steps = new object[]
                {
                    new { id = "reserve", plugin = "test.ok", args = new { echo = "reserved" } },
                    new { id = "payment", kind = "waitForEvent", signal = "paid", needs = new[] { "reserve" } },
                    new { id = "invoice", plugin = "test.ok", args = new { echo = "invoiced" }, needs = new[] { "reserve" } },
                    new { id = "pack", kind = "forEach", plugin = "test.ok", items = "${input.items}", args = new { echo = "${item}" }, needs = new[] { "payment" } },
                    new { id = "ship", kind = "noop", needs = new[] { "pack", "invoice" } },
                },
            });
            using var started = JsonDocument.Parse(await SendAsync(HttpMethod.Post, $"/api/v1/workflows/{workflow}/runs", new { input = new { items = new[] { "book", "lamp", "mug" } } }));
            var run = started.RootElement.GetProperty("runId").GetInt64();
            using var done = JsonDocument.Parse(await SendAsync(HttpMethod.Post, $"/api/v1/workflows/{workflow}/runs", new { input = new { items = new[] { "pen" } } }));
            var finished = done.RootElement.GetProperty("runId").GetInt64();
            // The payment step waits once the reservation succeeded; signal it then.
            await Nexus.Testing.Eventually.UntilAsync(async () => (await fixture.Admin.PostAsJsonAsync($"/api/v1/runs/{finished}/signal", new { signal = "paid" })).IsSuccessStatusCode,
                ok => ok, because: $"run {finished} to wait for its payment");

            var ns = $"shop-{suffix}";
            await SendAsync(HttpMethod.Post, "/api/v1/namespaces", new { name = ns, description = "Shop events" });
            for (var i = 1; i <= 6; i++)
            {
                await SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/events", new { topic = i % 3 == 0 ? "users.joined" : "orders.created", key = $"o-{i}", payload = new { order = i, total = i * 42.5 } });
            }
            await SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/subscriptions", new { name = "invoice-orders", pattern = "orders.*", action = "consumer", start = new { kind = "all" } });
            await SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/state/cart:42", new { value = new { items = new[] { "book" }, total = 12.5 } });
            await SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/state/cart:42", new { value = new { items = new[] { "book", "lamp" }, total = 41.0, coupon = "WINTER" } });
            await SendAsync(HttpMethod.Put, $"/api/v1/schedules/nightly-report-{suffix}", new
            {
                cron = "0 2 * * *", description = "Nightly sales report",
                target = new { task = new { plugin = "test.ok", args = new { echo = "report" }, queue = "reports" } },
            });

            var page = await fixture.SignedInAsync();
            await page.SetViewportSizeAsync(1360, 900);

            await page.GotoAsync($"/runs/{run}");
            await Expect(page.Locator("#run-detail svg.dag g[data-step='payment']")).ToHaveAttributeAsync("data-state", "waiting", new() { Timeout = 30_000 });
            await Expect(page.Locator("#run-detail svg.dag g[data-step='invoice']")).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = 30_000 });
            await ShotAsync(page, folder, "dashboard-run.png");

            await Nexus.Testing.Eventually.UntilAsync(async () => await SendAsync(HttpMethod.Get, $"/api/v1/runs/{finished}"), t => t.Contains("\"state\":\"succeeded\"", StringComparison.Ordinal), because: "the second run to finish");
            await page.GotoAsync("/workflows");
            await Expect(page.Locator($"section[data-workflow='{workflow}'] svg.dag g.node")).ToHaveCountAsync(5);
            await ShotAsync(page, folder, "dashboard-workflows.png");

            await page.GotoAsync($"/runs?workflow={workflow}");
            await Expect(page.Locator("#run-list tr[data-run]")).ToHaveCountAsync(2);
            await ShotAsync(page, folder, "dashboard-runs.png");

            await page.GotoAsync($"/events?ns={ns}");
            await Expect(page.Locator("#event-tail tr[data-position]")).ToHaveCountAsync(6);
            await Expect(page.Locator("#subscriptions tr[data-subscription='invoice-orders']")).ToHaveCountAsync(1);
            await ShotAsync(page, folder, "dashboard-events.png");

            await page.GotoAsync($"/state/key?ns={ns}&key=cart:42&a=1&b=2");
            await Expect(page.Locator("pre.diff .add").First).ToBeVisibleAsync();
            await ShotAsync(page, folder, "dashboard-state.png");

            await page.GotoAsync($"/schedules/nightly-report-{suffix}");
            await Expect(page.Locator("ol.next-fires li")).ToHaveCountAsync(5);
            await ShotAsync(page, folder, "dashboard-schedule.png");
        }
        finally
        {
            if (string.IsNullOrEmpty(target)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task NodesAndServicesPage_RendersTheRegistry_AndMakesAScreenshot()
    {
        var target = Environment.GetEnvironmentVariable("NEXUS_SCREENSHOTS");
        var folder = string.IsNullOrEmpty(target) ? Directory.CreateTempSubdirectory("nexus-shots-").FullName : Path.GetFullPath(target);
        try
        {
            var suffix = Guid.NewGuid().ToString("N")[..6];
            var instances = new[] { ($"thumbnailer-{suffix}", "thumb-1", 1), ($"thumbnailer-{suffix}", "thumb-2", 2), ($"geocoder-{suffix}", "geo-eu-1", 1) };
            foreach (var (name, id, passes) in instances)
            {
                await SendAsync(HttpMethod.Put, $"/api/v1/services/{name}/instances/{id}", new
                {
                    baseUrl = $"http://10.0.0.{passes + 10}:8080", version = "2.4.1", capabilities = new[] { "jpeg", "webp" },
                    metadata = new { zone = "eu-west-1", owner = "media-team" }, check = "ttl", ttl = "1h", passesToHealthy = passes,
                });
                await SendAsync(HttpMethod.Post, $"/api/v1/services/{name}/instances/{id}/heartbeat");
            }

            var page = await fixture.SignedInAsync();
            await page.SetViewportSizeAsync(1360, 900);
            await page.GotoAsync("/nodes");
            await Expect(page.Locator($"#services tr[data-service='thumbnailer-{suffix}']")).ToHaveCountAsync(2);
            await Expect(page.Locator($"#services tr[data-instance='thumb-1'] .health")).ToHaveTextAsync("healthy");
            await Expect(page.Locator($"#services tr[data-instance='thumb-2'] .health")).ToHaveTextAsync("starting");
            await ShotAsync(page, folder, "dashboard-nodes.png");
        }
        finally
        {
            if (string.IsNullOrEmpty(target)) Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task ShotAsync(IPage page, string folder, string name)
    {
        var path = Path.Combine(folder, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        var bytes = await File.ReadAllBytesAsync(path);
        Assert.True(bytes.Length > 1000 && bytes[0] == 0x89 && bytes[1] == (byte)'P', $"{name}: not a PNG");
    }
}
