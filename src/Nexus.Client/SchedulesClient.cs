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
    public Task<ScheduleInfo> PutAsync(string name, ScheduleDefinition definition, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Put, "api/v1/schedules/" + QueryString.Segment(name), NexusHttp.Json(definition, ClientJson.Default.ScheduleDefinition),
            ClientJson.Default.ScheduleInfo, cancellationToken);

    /// <summary>One schedule.</summary>
    /// <exception cref="NexusApiException"><c>not-found</c>.</exception>
    public Task<ScheduleInfo> GetAsync(string name, CancellationToken cancellationToken = default) =>
        _http.GetAsync("api/v1/schedules/" + QueryString.Segment(name), ClientJson.Default.ScheduleInfo, cancellationToken);

    /// <summary>A page of schedules by name, after <paramref name="after"/>.</summary>
    public Task<SchedulePage> ListAsync(string? after = null, int limit = 100, CancellationToken cancellationToken = default) =>
        _http.GetAsync(new QueryString("api/v1/schedules").Add("after", after).Add("limit", limit).ToString(), ClientJson.Default.SchedulePage, cancellationToken);

    /// <summary>Deletes a schedule and its history.</summary>
    public Task DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, "api/v1/schedules/" + QueryString.Segment(name), cancellationToken);

    /// <summary>Pauses a schedule, with a reason and an optional time at which it resumes by itself.</summary>
    public Task<ScheduleInfo> PauseAsync(string name, string? reason = null, DateTimeOffset? resumeAt = null, CancellationToken cancellationToken = default) =>
        _http.PostAsync($"api/v1/schedules/{QueryString.Segment(name)}/pause", NexusHttp.Json(new SchedulePauseBody(reason, resumeAt), ClientJson.Default.SchedulePauseBody),
            ClientJson.Default.ScheduleInfo, cancellationToken);

    /// <summary>Resumes a schedule.</summary>
    public Task<ScheduleInfo> ResumeAsync(string name, CancellationToken cancellationToken = default) =>
        _http.PostAsync($"api/v1/schedules/{QueryString.Segment(name)}/resume", null, ClientJson.Default.ScheduleInfo, cancellationToken);

    /// <summary>The next <paramref name="count"/> (1–1000) slots.</summary>
    public async Task<IReadOnlyList<DateTimeOffset>> NextAsync(string name, int count = 10, CancellationToken cancellationToken = default) =>
        (await _http.GetAsync(new QueryString($"api/v1/schedules/{QueryString.Segment(name)}/next").Add("count", count).ToString(),
            ClientJson.Default.ScheduleNext, cancellationToken).ConfigureAwait(false)).Slots;

    /// <summary>The schedule's fires, newest slot first.</summary>
    public async Task<IReadOnlyList<ScheduleFire>> HistoryAsync(string name, int limit = 100, CancellationToken cancellationToken = default) =>
        (await _http.GetAsync(new QueryString($"api/v1/schedules/{QueryString.Segment(name)}/history").Add("limit", limit).ToString(),
            ClientJson.Default.ScheduleHistory, cancellationToken).ConfigureAwait(false)).Items;
}
