using Nexus.Client.Http;

namespace Nexus.Client;

/// <summary><c>/api/v1/schedules</c>: cron schedules, pause and resume, next slots, history. Reached through
/// <see cref="NexusClient.Schedules"/>.</summary>
public sealed class SchedulesClient
{
    private readonly NexusHttp _http;

    internal SchedulesClient(NexusHttp http) => _http = http;

    /// <summary>Creates or replaces a schedule (its cursor restarts now).</summary>
    /// <exception cref="NexusApiException"><c>validation</c> naming the field (<c>cron</c>, <c>timeZone</c>, <c>target.task.plugin</c>, …).</exception>
    public Task<ScheduleResponse> PutAsync(string name, ScheduleRequest definition, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Put, "api/v1/schedules/" + QueryString.Segment(name), NexusHttp.Json(definition, ClientJson.Default.ScheduleRequest),
            ClientJson.Default.ScheduleResponse, cancellationToken);

    /// <summary>One schedule.</summary>
    /// <exception cref="NexusApiException"><c>not-found</c>.</exception>
    public Task<ScheduleResponse> GetAsync(string name, CancellationToken cancellationToken = default) =>
        _http.GetAsync("api/v1/schedules/" + QueryString.Segment(name), ClientJson.Default.ScheduleResponse, cancellationToken);

    /// <summary>A page of schedules by name, after <paramref name="after"/>.</summary>
    public Task<ScheduleListResponse> ListAsync(string? after = null, int limit = 100, CancellationToken cancellationToken = default) =>
        _http.GetAsync(new QueryString("api/v1/schedules").Add("after", after).Add("limit", limit).ToString(), ClientJson.Default.ScheduleListResponse, cancellationToken);

    /// <summary>Deletes a schedule and its history.</summary>
    public Task DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, "api/v1/schedules/" + QueryString.Segment(name), cancellationToken);

    /// <summary>Pauses a schedule, with a reason and an optional time at which it resumes by itself.</summary>
    public Task<ScheduleResponse> PauseAsync(string name, string? reason = null, DateTimeOffset? resumeAt = null, CancellationToken cancellationToken = default) =>
        _http.PostAsync($"api/v1/schedules/{QueryString.Segment(name)}/pause", NexusHttp.Json(new PauseScheduleRequest(reason, resumeAt), ClientJson.Default.PauseScheduleRequest),
            ClientJson.Default.ScheduleResponse, cancellationToken);

    /// <summary>Resumes a schedule.</summary>
    public Task<ScheduleResponse> ResumeAsync(string name, CancellationToken cancellationToken = default) =>
        _http.PostAsync($"api/v1/schedules/{QueryString.Segment(name)}/resume", null, ClientJson.Default.ScheduleResponse, cancellationToken);

    /// <summary>The next <paramref name="count"/> (1–1000) slots.</summary>
    public async Task<IReadOnlyList<DateTimeOffset>> NextAsync(string name, int count = 10, CancellationToken cancellationToken = default) =>
        (await _http.GetAsync(new QueryString($"api/v1/schedules/{QueryString.Segment(name)}/next").Add("count", count).ToString(),
            ClientJson.Default.ScheduleNextResponse, cancellationToken).ConfigureAwait(false)).Slots;

    /// <summary>The schedule's fires, newest slot first.</summary>
    public async Task<IReadOnlyList<ScheduleFireResponse>> HistoryAsync(string name, int limit = 100, CancellationToken cancellationToken = default) =>
        (await _http.GetAsync(new QueryString($"api/v1/schedules/{QueryString.Segment(name)}/history").Add("limit", limit).ToString(),
            ClientJson.Default.ScheduleHistoryResponse, cancellationToken).ConfigureAwait(false)).Items;
}
