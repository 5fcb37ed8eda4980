-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Token" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    "username" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),

    CONSTRAINT "Token_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SiteCredential" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    "siteId" TEXT NOT NULL,
    "accessKey" TEXT NOT NULL,
    "secretKey" TEXT NOT NULL,
    "keyName" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SiteCredential_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChefCredential" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "serverUrl" TEXT NOT NULL,
    "clientName" TEXT NOT NULL,
    "validationClientName" TEXT NOT NULL,
    "clientKey" TEXT NOT NULL,
    "validatorKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChefCredential_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LaunchConfiguration" (
    "id" TEXT NOT NULL,
    "userId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "contextualizationMethod" TEXT NOT NULL,
    "userData" TEXT,
    "chefRunlist" TEXT,
    "chefAttributes" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LaunchConfiguration_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LaunchConfigurationSite" (
    "id" SERIAL NOT NULL,
    "launchConfigurationId" TEXT NOT NULL,
    "siteId" TEXT NOT NULL,
    "imageId" TEXT NOT NULL,
    "instanceType" TEXT NOT NULL,
    "maxVms" INTEGER NOT NULL,
    "common" BOOLEAN NOT NULL,
    "rank" INTEGER NOT NULL,

    CONSTRAINT "LaunchConfigurationSite_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Domain" (
    "id" TEXT NOT NULL,
    "userId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "activeName" TEXT,
    "state" TEXT NOT NULL,
    "deName" TEXT NOT NULL,
    "launchConfigurationId" TEXT,
    "monitorSensors" TEXT NOT NULL,
    "monitorDomainSensors" TEXT NOT NULL,
    "vmCount" INTEGER,
    "sensorMinimumVms" INTEGER,
    "sensorMaximumVms" INTEGER,
    "sensorMetric" TEXT,
    "sensorScaleUpThreshold" DOUBLE PRECISION,
    "sensorScaleDownThreshold" DOUBLE PRECISION,
    "sensorScaleUpVms" INTEGER,
    "sensorScaleDownVms" INTEGER,
    "sensorCooldown" INTEGER,
    "chefCredentialId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "leaseOwner" TEXT,
    "leaseExpiresAt" TIMESTAMP(3),
    "unplacedVms" INTEGER NOT NULL DEFAULT 0,
    "unplacedReason" TEXT,
    "desiredVms" INTEGER,
    "lastSensorActionAt" TIMESTAMP(3),

    CONSTRAINT "Domain_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Instance" (
    "id" TEXT NOT NULL,
    "domainId" TEXT NOT NULL,
    "siteId" TEXT NOT NULL,
    "clientToken" TEXT NOT NULL,
    "iaasInstanceId" TEXT,
    "lifecycleState" INTEGER NOT NULL,
    "stateReason" TEXT,
    "hostname" TEXT,
    "publicIp" TEXT,
    "privateIp" TEXT,
    "imageId" TEXT NOT NULL,
    "instanceType" TEXT NOT NULL,
    "keyname" TEXT,
    "terminateRequested" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "launchedAt" TIMESTAMP(3),
    "stateChangedAt" TIMESTAMP(3),

    CONSTRAINT "Instance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DomainActivity" (
    "id" SERIAL NOT NULL,
    "domainId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "siteId" TEXT,
    "instanceId" TEXT,
    "cause" TEXT NOT NULL,
    "errorClass" TEXT,

    CONSTRAINT "DomainActivity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SensorMetric" (
    "name" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SensorMetric_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "SimulatedVm" (
    "iaasId" TEXT NOT NULL,
    "site" TEXT NOT NULL,
    "clientToken" TEXT NOT NULL,
    "installation" TEXT,
    "tags" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "failsAtBoot" BOOLEAN NOT NULL,
    "imageId" TEXT NOT NULL,
    "instanceType" TEXT NOT NULL,
    "keyName" TEXT,
    "userData" TEXT,
    "hostname" TEXT NOT NULL,
    "privateIp" TEXT NOT NULL,
    "publicIp" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "runningAt" TIMESTAMP(3) NOT NULL,
    "crashAt" TIMESTAMP(3),
    "terminatedAt" TIMESTAMP(3),
    "reason" TEXT,

    CONSTRAINT "SimulatedVm_pkey" PRIMARY KEY ("iaasId")
);

-- CreateTable
CREATE TABLE "SensorSample" (
    "id" TEXT NOT NULL,
    "userId" INTEGER NOT NULL,
    "metric" TEXT NOT NULL,
    "seriesKey" TEXT NOT NULL,
    "ts" TIMESTAMP(3) NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "SensorSample_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

-- CreateIndex
CREATE UNIQUE INDEX "Token_tokenHash_key" ON "Token"("tokenHash");

-- CreateIndex
CREATE INDEX "Token_userId_idx" ON "Token"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "SiteCredential_userId_siteId_key" ON "SiteCredential"("userId", "siteId");

-- CreateIndex
CREATE UNIQUE INDEX "ChefCredential_userId_name_key" ON "ChefCredential"("userId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "LaunchConfiguration_userId_name_key" ON "LaunchConfiguration"("userId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "LaunchConfigurationSite_launchConfigurationId_siteId_key" ON "LaunchConfigurationSite"("launchConfigurationId", "siteId");

-- CreateIndex
CREATE INDEX "Domain_userId_idx" ON "Domain"("userId");

-- CreateIndex
CREATE INDEX "Domain_launchConfigurationId_idx" ON "Domain"("launchConfigurationId");

-- CreateIndex
CREATE UNIQUE INDEX "Domain_userId_activeName_key" ON "Domain"("userId", "activeName");

-- CreateIndex
CREATE UNIQUE INDEX "Instance_clientToken_key" ON "Instance"("clientToken");

-- CreateIndex
CREATE INDEX "Instance_domainId_idx" ON "Instance"("domainId");

-- CreateIndex
CREATE INDEX "Instance_iaasInstanceId_idx" ON "Instance"("iaasInstanceId");

-- CreateIndex
CREATE INDEX "Instance_lifecycleState_stateChangedAt_idx" ON "Instance"("lifecycleState", "stateChangedAt");

-- CreateIndex
CREATE INDEX "DomainActivity_domainId_id_idx" ON "DomainActivity"("domainId", "id");

-- CreateIndex
CREATE INDEX "DomainActivity_at_idx" ON "DomainActivity"("at");

-- CreateIndex
CREATE INDEX "SimulatedVm_site_installation_idx" ON "SimulatedVm"("site", "installation");

-- CreateIndex
CREATE UNIQUE INDEX "SimulatedVm_site_clientToken_key" ON "SimulatedVm"("site", "clientToken");

-- CreateIndex
CREATE INDEX "SensorSample_userId_metric_seriesKey_ts_idx" ON "SensorSample"("userId", "metric", "seriesKey", "ts");

-- CreateIndex
CREATE INDEX "SensorSample_ts_idx" ON "SensorSample"("ts");

-- AddForeignKey
ALTER TABLE "Token" ADD CONSTRAINT "Token_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SiteCredential" ADD CONSTRAINT "SiteCredential_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChefCredential" ADD CONSTRAINT "ChefCredential_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LaunchConfiguration" ADD CONSTRAINT "LaunchConfiguration_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LaunchConfigurationSite" ADD CONSTRAINT "LaunchConfigurationSite_launchConfigurationId_fkey" FOREIGN KEY ("launchConfigurationId") REFERENCES "LaunchConfiguration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Domain" ADD CONSTRAINT "Domain_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Domain" ADD CONSTRAINT "Domain_launchConfigurationId_fkey" FOREIGN KEY ("launchConfigurationId") REFERENCES "LaunchConfiguration"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Domain" ADD CONSTRAINT "Domain_chefCredentialId_fkey" FOREIGN KEY ("chefCredentialId") REFERENCES "ChefCredential"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Instance" ADD CONSTRAINT "Instance_domainId_fkey" FOREIGN KEY ("domainId") REFERENCES "Domain"("id") ON DELETE CASCADE ON UPDATE CASCADE;

