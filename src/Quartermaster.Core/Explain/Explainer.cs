using System.Globalization;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Config;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Relabeling;

namespace Quartermaster.Core.Explain;

/// <summary>
/// Answers an <see cref="ExplainQuery"/> from the pipeline's per-job state and allocation. Runs on the pipeline's
/// thread between batches (so it sees groups and allocation in agreement) and only for explain requests: it scans the
/// jobs' discovered targets, traces relabeling for the matches, and re-derives identities only for jobs that have
/// duplicates.
/// </summary>
internal static class Explainer
{
    public static ExplainResult Explain(
        ExplainQuery query, IReadOnlyList<ExplainJob> jobs, Allocator allocator, long generation, ExplainContext context)
    {
        var builder = new LabelsBuilder();
        var sightings = new List<TargetSighting>();
        var matches = 0;
        var considered = jobs.Where(j => query.Job is null || j.Config.JobName == query.Job)
            .OrderBy(j => j.Config.JobName, StringComparer.Ordinal)
            .ToList();
        foreach (var job in considered)
        {
            Dictionary<ulong, List<(string Source, string Group, Label[] Labels)>>? byHash = null;
            foreach (var (source, group) in job.Groups)
            {
                foreach (var target in group.Targets)
                {
                    var merged = LabelSets.Merge(group.Labels, target);
                    if (!query.Matches(merged, job.Config.JobName))
                    {
                        continue;
                    }

                    matches++;
                    if (sightings.Count >= ExplainResult.MaxSightings)
                    {
                        continue;
                    }

                    if (job.Duplicates > 0)
                    {
                        byHash ??= Identities(job, builder);
                    }

                    sightings.Add(Sight(job, source, group.Source, merged, builder, byHash, allocator, context));
                }
            }
        }

        var jobNames = considered.Select(j => j.Config.JobName).ToHashSet(StringComparer.Ordinal);
        return new ExplainResult
        {
            Query = query,
            Strategy = allocator.Strategy.Name,
            Generation = generation,
            Sightings = sightings,
            Matches = matches,
            CandidateJobs = sightings.Count > 0 ? [] : [.. considered.Select(j => Candidate(query, j, context))],
            DiscoveryNotes = sightings.Count > 0 ? [] : context.DiscoveryNotes,
            UnknownCollectors = [.. context.UnknownCollectors.Where(u => jobNames.Contains(u.Job)).OrderBy(u => u.CollectorId, StringComparer.Ordinal)],
            UnknownJob = query.Job is not null && considered.Count == 0
                ? $"no job {query.Job} is configured; jobs: {string.Join(", ", jobs.Select(j => j.Config.JobName).Order(StringComparer.Ordinal))}"
                : null,
        };
    }

    private static TargetSighting Sight(
        ExplainJob job,
        string source,
        string group,
        Label[] merged,
        LabelsBuilder builder,
        Dictionary<ulong, List<(string Source, string Group, Label[] Labels)>>? byHash,
        Allocator allocator,
        ExplainContext context)
    {
        var jobName = job.Config.JobName;
        var trace = job.Filter.Trace(merged, builder);
        var address = LabelSets.IndexOf(merged, "__address__") is var a and >= 0 ? merged[a].Value : "";
        string? droppedByAction = null;
        if (!trace.Kept)
        {
            droppedByAction = RelabelConfig.ActionName(trace.Steps[^1].Step.Action);
            return new TargetSighting
            {
                Job = jobName, Source = source, Group = group, Address = address, DiscoveredLabels = merged, Relabel = trace,
                DroppedByAction = droppedByAction,
            };
        }

        var placement = allocator.Find(jobName, trace.Hash);
        var served = placement is not null && placement.Item.Labels.AsSpan().SequenceEqual(merged);
        TargetCollision? collision = null;
        if (byHash is not null && byHash.TryGetValue(trace.Hash, out var same) && same.Count > 1)
        {
            var others = new List<CollidingTarget>();
            var skippedSelf = false;
            foreach (var (otherSource, otherGroup, labels) in same)
            {
                if (!skippedSelf && otherSource == source && otherGroup == group && labels.AsSpan().SequenceEqual(merged))
                {
                    skippedSelf = true;
                    continue;
                }

                var otherAddress = LabelSets.IndexOf(labels, "__address__") is var i and >= 0 ? labels[i].Value : "";
                var otherServed = placement is not null && !served && placement.Item.Labels.AsSpan().SequenceEqual(labels);
                others.Add(new CollidingTarget(otherSource, otherGroup, otherAddress, labels, otherServed));
            }

            collision = new TargetCollision(served, others);
        }

        AllocationDecision? decision = null;
        PollStatus? poll = null;
        var collectors = allocator.Collectors.Keys.Order(StringComparer.Ordinal).ToList();
        var notReady = allocator.NotReadyCollectors.Order(StringComparer.Ordinal).ToList();
        if (placement is null)
        {
            decision = new AllocationDecision(
                allocator.Strategy.Name, null, null, "", "the target is not in the allocation yet", 0, collectors, notReady);
        }
        else
        {
            decision = new AllocationDecision(
                allocator.Strategy.Name, placement.Collector, placement.CollectorNode, placement.Item.NodeName,
                placement.UnassignedReason, placement.AssignedGeneration, collectors, notReady);
            if (placement.Collector is { } collector)
            {
                poll = Poll(collector, jobName, placement.AssignedGeneration, context);
            }
        }

        return new TargetSighting
        {
            Job = jobName,
            Source = source,
            Group = group,
            Address = address,
            DiscoveredLabels = merged,
            Relabel = trace,
            Collision = collision,
            Allocation = decision,
            LastPoll = poll,
            SecretsWithheld = context.SecretsWithheld(jobName)
                ? $"job {jobName} has credentials (basic_auth, authorization, oauth2 or TLS key) that /scrape_configs serves redacted, "
                    + "because the allocator has no HTTPS listener and allow_insecure_auth_secrets is off; the collector scrapes this target "
                    + "with the placeholder <secret> and its requests fail authentication. Enable https.enabled (mTLS) or set allow_insecure_auth_secrets"
                : null,
        };
    }

    private static PollStatus Poll(string collector, string job, long assignedGeneration, ExplainContext context)
    {
        if (context.LastPoll(collector, job) is not { } record)
        {
            return new PollStatus(collector, null, null, null, $"collector {collector} has not polled job {job} since the allocator started");
        }

        var contained = record.Generation >= assignedGeneration;
        var detail = contained
            ? $"the response to that poll (snapshot {record.Generation}) contained the target, served on {collector} since snapshot {assignedGeneration}"
            : $"that poll was answered from snapshot {record.Generation}, before the target was assigned to {collector} in snapshot {assignedGeneration}; the next poll gets it";
        return new PollStatus(collector, record.Time, record.Generation, contained, detail);
    }

    /// <summary>Every kept target of the job by identity, in discovery order (the last one is served).</summary>
    private static Dictionary<ulong, List<(string Source, string Group, Label[] Labels)>> Identities(ExplainJob job, LabelsBuilder builder)
    {
        var byHash = new Dictionary<ulong, List<(string, string, Label[])>>();
        foreach (var (source, group) in job.Groups)
        {
            foreach (var target in group.Targets)
            {
                var merged = LabelSets.Merge(group.Labels, target);
                if (job.Filter.TryProcess(merged, builder, out var hash))
                {
                    if (!byHash.TryGetValue(hash, out var list))
                    {
                        byHash[hash] = list = [];
                    }

                    list.Add((source, group.Source, merged));
                }
            }
        }

        return byHash;
    }

    private static CandidateJob Candidate(ExplainQuery query, ExplainJob job, ExplainContext context)
    {
        var config = job.Config;
        var name = config.JobName;
        var sources = new List<WatchedSource>();
        var address = query.Address;
        if (config.StaticConfigs.Count > 0)
        {
            var addresses = config.StaticConfigs.SelectMany(g => g.Targets)
                .Select(t => LabelSets.IndexOf(t, "__address__") is var i and >= 0 ? t[i].Value : "")
                .ToList();
            var listed = address is null || addresses.Contains(address, StringComparer.Ordinal);
            var shown = string.Join(", ", addresses.Take(10)) + (addresses.Count > 10 ? $" and {addresses.Count - 10} more" : "");
            sources.Add(new WatchedSource("static", "static", "static targets " + shown, listed, null, []));
        }

        for (var i = 0; i < config.FileSdConfigs.Count; i++)
        {
            var key = "file_sd/" + i.ToString(CultureInfo.InvariantCulture);
            sources.Add(new WatchedSource(
                "file_sd", key, "files " + string.Join(", ", config.FileSdConfigs[i].Files), true, context.SourceError(name, key), []));
        }

        for (var i = 0; i < config.HttpSdConfigs.Count; i++)
        {
            var key = "http_sd/" + i.ToString(CultureInfo.InvariantCulture);
            sources.Add(new WatchedSource("http_sd", key, "url " + config.HttpSdConfigs[i].Url, true, context.SourceError(name, key), []));
        }

        for (var i = 0; i < config.KubernetesSdConfigs.Count; i++)
        {
            var key = "kubernetes_sd/" + i.ToString(CultureInfo.InvariantCulture);
            var sd = config.KubernetesSdConfigs[i];
            sources.Add(new WatchedSource(
                "kubernetes_sd", key, Describe(sd), true, context.SourceError(name, key), context.MissingPermissions(sd)));
        }

        string reason;
        var could = sources.Any(s => s.CouldHaveFound);
        if (sources.Count == 0)
        {
            reason = "the job has no service discovery configured";
        }
        else if (!could)
        {
            reason = $"the job only has static targets and {address} is not one of them";
        }
        else
        {
            var problems = new List<string>();
            foreach (var s in sources)
            {
                if (s.MissingPermissions.Count > 0)
                {
                    problems.Add($"{s.Key} lacks permissions: {string.Join("; ", s.MissingPermissions)}");
                }

                if (s.LastError is not null)
                {
                    problems.Add($"{s.Key} is failing: {s.LastError}");
                }
            }

            reason = problems.Count > 0
                ? string.Join("; ", problems)
                : "the job watches sources that could hold the target, but none reported it";
        }

        return new CandidateJob(name, could, reason, sources);
    }

    private static string Describe(KubernetesSdConfig sd)
    {
        var namespaces = sd.NamespaceNames.Count > 0 ? "namespaces " + string.Join(", ", sd.NamespaceNames)
            : sd.OwnNamespace ? "its own namespace"
            : "all namespaces";
        var text = $"role {sd.Role} in {namespaces}";
        if (sd.Selectors.Count > 0)
        {
            text += ", selectors " + string.Join("; ", sd.Selectors.Select(s =>
                $"{s.Role}:{(s.Label.Length > 0 ? " label " + s.Label : "")}{(s.Field.Length > 0 ? " field " + s.Field : "")}"));
        }

        if (sd.ApiServer.Length > 0)
        {
            text += ", api server " + sd.ApiServer;
        }

        return text;
    }
}
