using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Nexus.Testing;

namespace Nexus.Server.Tests.Infrastructure;

/// <summary>Small helpers for talking JSON to the server and checking its problem+json answers.</summary>
public static class Http
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, string json, string contentType = "application/json") =>
        client.PostAsync(url, new StringContent(json, Encoding.UTF8, contentType));

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string url, string json) =>
        client.PatchAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>Asserts a problem+json answer with <paramref name="status"/> and <paramref name="code"/>; when
    /// <paramref name="field"/> is given, that the problem names it. Returns the problem.</summary>
    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string code, string? field = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} but got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        var problem = document.RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal("urn:nexus:problem:" + code, problem.GetProperty("type").GetString());
        if (field is not null)
        {
            Assert.True(problem.TryGetProperty("field", out var f), $"The problem names no field: {body}");
            Assert.Equal(field, f.GetString());
            Assert.StartsWith(field, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        return problem;
    }

    public static async Task<long> SubmitAsync(this HttpClient client, string json)
    {
        var response = await client.PostJsonAsync("/api/v1/tasks", json);
        return (await response.JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetInt64();
    }

    public static async Task<JsonElement> GetTaskAsync(this HttpClient client, long id) =>
        await (await client.GetAsync($"/api/v1/tasks/{id}")).JsonAsync();

    /// <summary>Polls the task until its state is <paramref name="state"/>, failing after <see cref="Deadline"/>.</summary>
    public static Task<JsonElement> WaitForStateAsync(this HttpClient client, long id, string state) =>
        Eventually.UntilAsync(
            () => client.GetTaskAsync(id),
            task => task.GetProperty("state").GetString() == state,
            Deadline,
            TimeSpan.FromMilliseconds(20),
            $"task {id} to reach {state}");

    public static string[] Ids(this JsonElement page) =>
        [.. page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture))];
}
