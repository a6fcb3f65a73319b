/**
 * The Lifeboat appliance, a Spring Boot application: {@link io.lifeboat.appliance.LifeboatApplication}
 * starts it. Its packages own, in order of the data path: {@code inventory} (VMs on libvirt hosts),
 * {@code backup} (changed-block backups into the chunk store), {@code catalog} (what the appliance
 * knows: restore points, jobs, audit), {@code jobs} (running every kind of job), {@code restore},
 * {@code policy}, and at the edge {@code api} (REST) and {@code security}.
 */
package io.lifeboat.appliance;
