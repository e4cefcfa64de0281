# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Names, enumerations and fixed link lists taken from the EM REST reference pages."""

NAMESPACE = "http://www.veeam.com/ent/v1.0"
XML_DECL = '<?xml version="1.0" encoding="utf-8"?>\n'
XML_CT = "application/xml; charset=utf-8"
JSON_CT = "application/json; charset=utf-8"

# Enumerations, in the order the query pages list them (comparisons use this order).
# "None" is what EM answers for the Result of a session that has not finished yet; it is not in
# the documented list, so it sorts before every documented value.
JOB_TYPES = ("Backup", "BackupCopy", "ImmediateBackupCopy", "ImmediateBackupCopyWorker",
             "AgentBackup", "AgentManagement", "NasBackup")
SESSION_STATES = ("Starting", "Stopping", "Working", "Pausing", "Resuming", "Stopped")
RESULTS = ("None", "Success", "Warning", "Failed")
# JobType of the Job resource (get_jobs_id, get_query_job): GET /jobs lists these types only.
JOB_RESOURCE_TYPES = ("Backup", "BackupCopy", "ImmediateBackupCopy", "Replica")
TASK_STATES = ("InProgress", "Pending", "Completed")
EM_TASK_STATES = ("Running", "OperationFinished", "Finished")

RUNNING_STATES = frozenset(("Starting", "Working", "Pausing", "Resuming"))

# API versions (em_web_api_versions): supported and deprecated ones accept logons.
API_VERSIONS = ("v1_7", "v1_6", "v1_5")
LATEST_VERSION = "v1_7"

# The Down links of a LogonSession, as in the "Perform Logon" page (path relative to /api/).
LOGON_SESSION_LINKS = (
    ("Down", "BackupServerReferenceList", "backupServers", None),
    ("Down", "ManagedServerReferenceList", "managedServers", None),
    ("Down", "JobReferenceList", "jobs", None),
    ("Down", "FailoverPlanReferenceList", "failoverPlans", None),
    ("Down", "HierarchyRootReferenceList", "hierarchyRoots", None),
    ("Down", "RepositoryReferenceList", "repositories", None),
    ("Down", "BackupReferenceList", "backups", None),
    ("Down", "RestorePointReferenceList", "restorePoints", None),
    ("Down", "VmRestorePointReferenceList", "vmRestorePoints", None),
    ("Down", "VAppRestorePointReferenceList", "vAppRestorePoints", None),
    ("Down", "ReplicaReferenceList", "replicas", None),
    ("Down", "VmReplicaPointReferenceList", "vmReplicaPoints", None),
    ("Down", "CatalogVmReferenceList", "catalog/vms", None),
    ("Down", "BackupJobSessionReferenceList", "backupSessions", None),
    ("Down", "RestoreSessionReferenceList", "restoreSessions", None),
    ("Down", "ReplicaJobSessionReferenceList", "replicaSessions", None),
    ("Down", "BackupTaskSessionReferenceList", "backupTaskSessions", None),
    ("Down", "ReplicaTaskSessionReferenceList", "replicaTaskSessions", None),
    ("Down", "EnterpriseSecuritySettings", "security", None),
    ("Down", "WanAcceleratorReferenceList", "wanAccelerators", None),
    ("Down", "BackupFileReferenceList", "backupFiles", None),
    ("Down", "ExternalRepositoryReferenceList", "externalRepositories", None),
    ("Down", "TaskList", "tasks", None),
    ("Down", "QueryService", "querySvc", None),
    ("Down", "LookupService", "lookupSvc", None),
    ("Down", "Report", "reports/summary", "Summary"),
    ("Down", "BackupServerList", "backupServers?format=Entity", None),
    ("Down", "ManagedServerList", "managedServers?format=Entity", None),
    ("Create", None, "backupServers?action=create", None),
    ("Down", "JobList", "jobs?format=Entity", None),
    ("Down", "FailoverPlanList", "failoverPlans?format=Entity", None),
    ("Down", "HierarchyRootList", "hierarchyRoots?format=Entity", None),
    ("Down", "RepositoryList", "repositories?format=Entity", None),
    ("Down", "BackupList", "backups?format=Entity", None),
    ("Down", "RestorePointList", "restorePoints?format=Entity", None),
    ("Down", "VmRestorePointList", "vmRestorePoints?format=Entity", None),
    ("Down", "VAppRestorePointList", "vAppRestorePoints?format=Entity", None),
    ("Down", "ReplicaList", "replicas?format=Entity", None),
    ("Down", "VmReplicaPointList", "vmReplicaPoints?format=Entity", None),
    ("Down", "CatalogVmList", "catalog/vms?format=Entity", None),
    ("Down", "BackupJobSessionList", "backupSessions?format=Entity", None),
    ("Down", "RestoreSessionList", "restoreSessions?format=Entity", None),
    ("Down", "ReplicaJobSessionList", "replicaSessions?format=Entity", None),
    ("Down", "BackupTaskSessionList", "backupTaskSessions?format=Entity", None),
    ("Down", "ReplicaTaskSessionList", "replicaTaskSessions?format=Entity", None),
    ("Down", "WanAcceleratorList", "wanAccelerators?format=Entity", None),
    ("Down", "VCloudService", "vCloud", None),
    ("Down", "BackupFileList", "backupFiles?format=Entity", None),
    ("Down", "AgentsService", "agents", None),
    ("Down", "VSphereSelfService", "selfService/vSphere", None),
    ("Down", "ExternalRepositoryList", "externalRepositories?format=Entity", None),
    ("Down", "NasService", "nas", None),
)

# Query types of the query_type page that this emulator answers.
QUERY_TYPES = {
    "backupjobsession": "BackupJobSession",
    "backuptasksession": "BackupTaskSession",
    "backupserver": "BackupServer",
    "task": "Task",
    "job": "Job",
    # the protection side (protection.py)
    "vmrestorepoint": "VmRestorePoint",
    "restorepoint": "RestorePoint",
    "objectinjob": "ObjectInJob",
    "repository": "Repository",
    "backup": "Backup",
    "backupfile": "BackupFile",
}
# Every other query type the query_type page lists: valid on a real EM, not emulated (501).
DOCUMENTED_QUERY_TYPES = frozenset(t.lower() for t in (
    "AgentBackupJob", "AgentProtectionGroup", "AgentRestorePoint", "Backup", "BackupFile", "CdpPolicy",
    "CdpReplica", "CdpReplicaSession", "CdpReplicaTaskSession", "CloudGateway", "CloudGatewayPool",
    "CloudTenant", "CloudFailoverPlan", "CloudFailoverSession", "CloudHardwarePlan",
    "CloudPublicIpAddress", "CloudReplica", "CloudSubtenant", "CloudVmReplicaPoint", "Credentials",
    "DiscoveredComputer", "FailoverPlan", "FileServer", "HierarchyRoot", "Job", "ManagedServer", "NasJob",
    "NasObject", "ObjectInJob", "Passwords", "Replica", "ReplicaJobSession", "ReplicaTaskSession",
    "Repository", "RestorePoint", "RestoreSession", "vAppReplicaPoint", "vAppRestorePoint",
    "VCloudOrganizationConfig", "VlanConfiguration", "VmReplicaPoint", "VmRestorePoint",
    "VsphereSelfServiceConfig", "WanAccelerator",
))

HTTP_REASONS = {
    200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Bad Request",
    401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable",
}
